/** Texts of the respondent form, in Vietnamese and English. */
import type { Text } from "../common/i18n.js";

export const S = {
  loadFailed: { vi: "Không tải được phiếu khảo sát. Vui lòng kiểm tra kết nối mạng rồi thử lại.", en: "The questionnaire could not be loaded. Please check your connection and try again." },
  draftKept: { vi: "Các câu trả lời đã nhập vẫn được lưu trên máy này.", en: "Answers you already gave are kept on this device." },
  retry: { vi: "Thử lại", en: "Try again" },
  retryNow: { vi: "Thử gửi lại ngay", en: "Retry now" },
  notFound: { vi: "Không tìm thấy đợt khảo sát này. Vui lòng kiểm tra lại đường dẫn.", en: "This survey round was not found. Please check the link." },
  notOpen: { vi: "Đợt khảo sát này hiện không nhận phiếu.", en: "This survey round is not taking responses now." },
  notPublic: { vi: "Đợt khảo sát này không nhận phiếu trực tuyến qua trang này.", en: "This survey round does not take responses on this page." },
  dear: { vi: "Kính gửi {name},", en: "Dear {name}," },
  anonymous: {
    vi: "Câu trả lời của Ông/Bà được lưu tách biệt với thư mời: không ai, kể cả người quản trị hệ thống, biết được Ông/Bà đã trả lời thế nào. Mỗi thư mời chỉ dùng để trả lời một lần.",
    en: "Your answers are stored apart from your invitation: nobody, not even the system's administrator, can tell how you answered. Each invitation can be used to answer once.",
  },
  invitationDone: { vi: "Thư mời đã được dùng; Ông/Bà không cần làm gì thêm. Câu trả lời không gắn với tên của Ông/Bà.", en: "Your invitation has been used; there is nothing more to do. Your answers are not linked to your name." },
  restored: { vi: "Đã khôi phục các câu trả lời Ông/Bà nhập trước đó.", en: "Your earlier answers have been restored." },
  sending: { vi: "Đang gửi phiếu…", en: "Sending your response…" },
  notSent: {
    vi: "Chưa gửi được phiếu (mất kết nối hoặc máy chủ bận). Phiếu đã được lưu trên máy này và sẽ tự gửi lại.",
    en: "The response could not be sent yet (no connection or the server is busy). It is saved on this device and will be sent again.",
  },
  retryIn: { vi: "Tự gửi lại sau {s} giây.", en: "Sending again in {s} seconds." },
  copy: { vi: "Chép mã", en: "Copy the code" },
  copied: { vi: "Đã chép mã biên nhận.", en: "The receipt code was copied." },
  copyFailed: { vi: "Không chép được; vui lòng ghi lại mã.", en: "Could not copy; please write the code down." },
  keepOpen: { vi: "Xin giữ trang này mở cho đến khi nhận được mã biên nhận.", en: "Please keep this page open until you get a receipt code." },
  fixErrors: { vi: "Phiếu chưa được nhận vì có câu trả lời cần sửa. Vui lòng xem các thông báo bên dưới.", en: "The response was not accepted: some answers need fixing. Please see the messages below." },
  thanks: { vi: "Cảm ơn Ông/Bà đã tham gia khảo sát!", en: "Thank you for taking part in the survey!" },
  received: { vi: "Phiếu của Ông/Bà đã được ghi nhận.", en: "Your response has been recorded." },
  receiptLabel: { vi: "Mã biên nhận", en: "Receipt code" },
  receiptHelp: { vi: "Ông/Bà có thể ghi lại mã này để tra cứu khi cần. Phiếu không ghi họ tên.", en: "You may note this code to refer to your response. Your name is not recorded." },
  another: { vi: "Trả lời một phiếu mới", en: "Start a new response" },
} satisfies Record<string, Text>;
