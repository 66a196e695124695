// Lint rules: the typescript-eslint recommended set, plus the rules that catch what STYLE.md forbids.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "out/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The one CommonJS entry point (`npx gitops-bootstrap`), which must load tsx before any TypeScript.
    files: ["cli/bin.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", process: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The pure core builds plain data: no Pulumi SDK, and nothing from the layers that register it.
    files: ["core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@pulumi/*"], message: "core/ is pure: register resources in components/, not here." },
            {
              group: ["**/components/**", "**/stacks/**", "**/cli/**"],
              message: "core/ must not depend on the layers built on it.",
            },
          ],
        },
      ],
    },
  },
  {
    rules: {
      // `||` turns an explicit 0, false or "" into a default; use `??`.
      "@typescript-eslint/prefer-nullish-coalescing": "off",
      "no-param-reassign": ["error", { props: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
);
