/**
 * A device's clock never blocks a response: the device's times are kept as reported, and beside
 * them the server's receipt time, the device clock's offset measured at sync, and why the times
 * need a look (null when they are plausible). See docs/decisions/0009-device-clocks.md.
 */
import type { Kysely } from "kysely";
import type { Dialect } from "../database.js";

export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  // Full time of receipt (ISO, UTC); null for anonymous responses, which keep only the day.
  await db.schema.alterTable("responses").addColumn("received_at", "text").execute();
  // Device clock minus server clock when the batch arrived, in seconds (an integer on both databases); null when unknown.
  await db.schema.alterTable("responses").addColumn("clock_offset_s", "integer").execute();
  // Space-separated reasons (future, before_2000, start_after_submit, device_clock), or null.
  await db.schema.alterTable("responses").addColumn("time_review", "text").execute();
}
