/**
 * Preload (`tsx --require`) that runs the CLI (cli/index.ts preview) unchanged but with
 * secret values it can otherwise never see, so the leak test can watch its
 * output: the preview only reads Pulumi.<stack>.yaml and never decrypts
 * `secure:` values. Test-only; nothing in the product knows about it.
 *
 * PREVIEW_TEST_CONFIG (JSON):
 *   values         the stack's flat config map, secrets included
 *   encrypted      keys to treat as decrypted secure values (secret config)
 *   integrationKey prefix of the PagerDuty integration key the mock returns
 *
 * It announces each substitution on stderr ("preview-test: ...") so the test
 * can tell that it took effect.
 */
const Module = require("node:module");
const path = require("node:path");

const PREVIEW = path.resolve(__dirname, "../../cli/stack.ts");
const INTEGRATION = "pagerduty:index/serviceIntegration:ServiceIntegration";
const config = JSON.parse(process.env.PREVIEW_TEST_CONFIG || "null");
if (!config) throw new Error("previewWithSecrets: PREVIEW_TEST_CONFIG is not set");

// The preview's stack file reader becomes this module's readStackFile.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
    if (parent && parent.filename === PREVIEW && /harness[\\/]stackFile(\.ts)?$/.test(request)) return __filename;
    return resolveFilename.call(this, request, parent, ...rest);
};

const replaced = (stack) => {
    process.stderr.write(`preview-test: stack file of "${stack}" replaced (${config.encrypted.length} secret keys)\n`);
    return { values: { ...config.values }, encrypted: [...config.encrypted] };
};
// Loaded lazily: by then tsx compiles TypeScript for this thread.
const real = () => require(path.resolve(__dirname, "../../harness/stackFile.ts"));
exports.readStackFile = (_root, stack) => replaced(stack);
exports.readStackFileAt = (file) => replaced(real().stackOfFile(file));
exports.stackOfFile = (file) => real().stackOfFile(file);

// The harness's mocks hand out the integration key given here.
const runtime = require("@pulumi/pulumi/runtime");
const setMocks = runtime.setMocks;
runtime.setMocks = (mocks, ...rest) =>
    setMocks(
        {
            ...mocks,
            newResource: async (args) => {
                const result = await mocks.newResource(args);
                if (args.type !== INTEGRATION || !config.integrationKey) return result;
                process.stderr.write(`preview-test: integration key of ${args.name} replaced\n`);
                return { ...result, state: { ...result.state, integrationKey: `${config.integrationKey}${args.name}` } };
            },
        },
        ...rest,
    );
if (require("@pulumi/pulumi").runtime.setMocks !== runtime.setMocks) throw new Error("previewWithSecrets: could not wrap setMocks");
