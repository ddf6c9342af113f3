#!/usr/bin/env node
// The chiso command line. TypeScript sources run through tsx, so no separate compile step is needed.
import { register } from "tsx/esm/api";

// A reader that stops early (`chiso round list | head`) closes the pipe: stop quietly, that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

register();
const { main } = await import("../server/cli.ts");
process.exitCode = await main(process.argv.slice(2));
