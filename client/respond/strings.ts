/** Texts of the respondent form, in Vietnamese and English. */
import type { Text } from "../common/i18n.js";

export const S = {
  loadFailed: {
    vi: "Không tải được phiếu khảo sát. Vui lòng kiểm tra kết nối mạng rồi thử lại.",
    en: "The questionnaire could not be loaded. Please check your connection and try again.",
  },
  draftKept: { vi: "Các câu trả lời đã nhập vẫn được lưu trên máy này.", en: "Answers you already gave are kept on this device." },
  retry: { vi: "Thử lại", en: "Try again" },
  retryNow: { vi: "Thử gửi lại ngay", en: "Retry now" },
  notFound: { vi: "Không tìm thấy đợt khảo sát này. Vui lòng kiểm tra lại đường dẫn.", en: "This survey round was not found. Please check the link." },
  notOpen: { vi: "Đợt khảo sát này hiện không nhận phiếu.", en: "This survey round is not taking responses now." },
  notPublic: { vi: "Đợt khảo sát này không nhận phiếu trực tuyến qua trang này.", en: "This survey round does not take responses on this page." },
  dear: { vi: "Kính gửi {name},", en: "Dear {name}," },
  anonymous: {
    vi: 'Phiếu của Ông/Bà được gửi kèm một chứng nhận ẩn danh, không kèm thư mời. Hệ thống chỉ ghi nhận thư mời này là "đã mở", không biết Ông/Bà đã gửi phiếu hay chưa. Phiếu chỉ lưu đợt khảo sát, nhóm người trả lời và tỉnh; không lưu cơ quan, tên, thời gian hay thứ tự gửi. Không ai, kể cả người quản trị hệ thống, biết được phiếu nào là của Ông/Bà. Kết quả chỉ công bố cho nhóm đủ số người tối thiểu. Mỗi thư mời chỉ trả lời một lần.',
    en: 'Your response is sent with an anonymous credential, not with your invitation. The system records only that this invitation was "opened", not whether you answered. The response keeps only the round, your respondent group and the province: not your agency, name, time or order of sending. Nobody, not even the system\'s administrator, can tell which response is yours. Results are published only for groups with at least the minimum number of people. Each invitation answers once.',
  },
  invitationDone: {
    vi: "Phiếu đã được nhận; Ông/Bà không cần làm gì thêm. Trình duyệt này không giữ lại gì gắn thư mời với phiếu, kể cả mã biên nhận: xin ghi lại mã nếu cần.",
    en: "Your response was received; there is nothing more to do. This browser keeps nothing that pairs your invitation with your response, not even the receipt code: note it down if you want it.",
  },
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
  fixErrors: {
    vi: "Phiếu chưa được nhận vì có câu trả lời cần sửa. Vui lòng xem các thông báo bên dưới.",
    en: "The response was not accepted: some answers need fixing. Please see the messages below.",
  },
  thanks: { vi: "Cảm ơn Ông/Bà đã tham gia khảo sát!", en: "Thank you for taking part in the survey!" },
  received: { vi: "Phiếu của Ông/Bà đã được ghi nhận.", en: "Your response has been recorded." },
  receiptLabel: { vi: "Mã biên nhận", en: "Receipt code" },
  // No lookup page exists, on purpose (docs/decisions/0010-respondent-form-on-a-phone.md): the words promise none.
  receiptHelp: {
    vi: "Mã này xác nhận phiếu của Ông/Bà đã đến máy chủ; Ông/Bà có thể ghi lại làm bằng chứng đã gửi. Phiếu không ghi họ tên.",
    en: "This code confirms that your response reached the server; you may note it as proof that you sent it. Your name is not recorded.",
  },
  another: { vi: "Trả lời một phiếu mới", en: "Start a new response" },
} satisfies Record<string, Text>;
