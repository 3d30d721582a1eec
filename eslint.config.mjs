// ESLint (flat config) with typescript-eslint's recommended rules; Prettier owns the layout.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    // Generated code keeps its generator's layout: the SDK twin, and the pack's copy of the vocabulary (npm run vendor).
    { ignores: ["node_modules/", "**/node_modules/", "sdks/prefect/", "policy/vendor/", ".venv/", ".venv-bench/", ".e2e/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // Policy props and engine payloads are untyped JSON by nature.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
            ],
            // Same width as .prettierrc.json; Prettier cannot break long strings, this makes sure nobody leaves one.
            "max-len": ["error", { code: 140, ignoreUrls: false }],
        },
    },
    {
        files: ["**/*.cjs", "**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {
                require: "readonly",
                module: "writable",
                exports: "writable",
                __dirname: "readonly",
                __filename: "readonly",
                process: "readonly",
                console: "readonly",
            },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
