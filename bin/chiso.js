#!/usr/bin/env node
// The chiso command line. TypeScript sources run through tsx, so no separate compile step is needed.
import { register } from "tsx/esm/api";

register();
await import("../server/cli.ts");
