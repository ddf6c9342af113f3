// Lint: recommended rules for JS and TypeScript; warnings fail the test command (--max-warnings 0).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "data/**", "test-results/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-eval": "error",
      "no-new-func": "error",
      "no-implied-eval": "error",
    },
  },
  {
    // Migrations are written against Kysely<any> so they never depend on today's table types;
    // tests read arbitrary JSON bodies.
    files: ["server/db/migrations/**", "server/db/migrate.ts", "test/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The browser takes only types from the zod schemas of shared/ (docs/decisions/0015): zod
    // would otherwise ship in every bundle, the respondent form's first of all. Pure logic
    // modules of shared/ (expressions, walk, validate, scoring) are imported as values.
    files: ["client/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "zod",
                "**/shared/api/*",
                "**/shared/i18n.js",
                "**/shared/index-model/*",
                "**/shared/instrument/schema.js",
                "**/shared/instrument/check.js",
                "**/shared/results/schemas.js",
              ],
              allowTypeImports: true,
              message: "The browser imports only types from shared/ schemas (docs/decisions/0015-browser-takes-types-only.md).",
            },
          ],
        },
      ],
    },
  },
  {
    // A feature's routes files hold only its handlers, and only server/app.ts puts them on URLs
    // (docs/decisions/0027-one-url-table.md): logic another feature needs lives in a service or
    // repository module, so no feature reaches into another's handlers.
    files: ["server/**"],
    ignores: ["server/app.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/routes.js", "**/routes", "**/*-routes.js", "**/*-routes"],
              message:
                "Only server/app.ts imports a routes file; move shared logic into the feature's service or repository (docs/decisions/0027-one-url-table.md).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["bin/**/*.js", "scripts/**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
