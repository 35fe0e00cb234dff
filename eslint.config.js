// ESLint: a few rules that catch real bugs; formatting is Prettier's job (npm run lint runs both).
// Type-aware rules use the nearest tsconfig.json: the Node side's at the root, the firmware's
// (DeviceScript types) in firmware/.
import tseslint from "typescript-eslint"

export default tseslint.config(
    {
        ignores: ["node_modules/**", ".devicescript/**", "**/*.js", "host-sim/dashboard/page/vendor/**"],
    },
    {
        files: ["**/*.ts"],
        languageOptions: {
            parser: tseslint.parser,
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@typescript-eslint": tseslint.plugin },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            eqeqeq: ["error", "always"],
            "no-var": "error",
            "prefer-const": "error",
            "no-fallthrough": "error",
            "no-self-compare": "error",
            "no-unreachable": "error",
            "no-dupe-else-if": "error",
            "no-duplicate-case": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
            // One import-suffix style per side: Node code names the .ts file it imports.
            "no-restricted-syntax": [
                "error",
                {
                    selector: "ImportDeclaration[source.value=/^\\.{1,2}\\/(?!.*\\.(ts|json)$)/]",
                    message: "Node side: import relative modules with their .ts suffix",
                },
            ],
        },
    },
    {
        // What the DeviceScript compiler reads: relative imports without a suffix.
        files: [
            "firmware/**/*.ts",
            "test/device/**/*.ts",
            "test/device-sensors/**/*.ts",
            "test/firmware/*.ts",
            "bench/firmware/**/*.ts",
            "test/vectors/**/*.ts",
        ],
        ignores: ["**/*.test.ts"],
        rules: {
            "no-restricted-syntax": [
                "error",
                {
                    selector: "ImportDeclaration[source.value=/^\\.{1,2}\\/.*\\.(js|ts)$/]",
                    message: "DeviceScript side: import relative modules without a suffix",
                },
            ],
        },
    },
    {
        // DeviceScript test programs (built by devs, outside both tsconfigs): the rules without types.
        files: [
            "test/device/**/*.ts",
            "test/device-sensors/**/*.ts",
            "test/firmware/**/*.ts",
            "bench/firmware/**/*.ts",
        ],
        languageOptions: { parserOptions: { projectService: false } },
        rules: {
            "@typescript-eslint/no-floating-promises": "off",
            "@typescript-eslint/no-misused-promises": "off",
        },
    },
)
