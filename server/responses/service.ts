/** Rules of accepting responses shared by the native routes and the OpenRosa server. */
import type { AppContext } from "../app-context.js";
import { Problem } from "../http/problem.js";
import { fieldError } from "../../shared/errors.js";
import type { User } from "../accounts/repository.js";
import type { PreparedResponse } from "./prepare.js";

/** Enumerators collect only in the units assigned to them. */
export function checkCollectorScope(ctx: AppContext, user: User, item: PreparedResponse): void {
  if (user.unitScope.length === 0) return;
  if (!user.unitScope.some((s) => ctx.units.isWithin(item.response.unit_key, s))) {
    throw new Problem("invalid", [
      fieldError("unit", "unit_not_in_scope", {
        vi: "Đơn vị này không thuộc địa bàn được phân công cho bạn.",
        en: "This unit is not in the area assigned to you.",
      }),
    ]);
  }
}
