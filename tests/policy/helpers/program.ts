import { EngineRun, runProgramForEngine, serializedInputs } from "../../../harness/engineCapture";
import { stackConfig } from "../../helpers/stacks";

/** The real program (index.ts) for a committed stack, recorded as the engine hands it to the pack. One run per test file. */
export type CapturedRun = EngineRun;

export async function runStackForPolicies(stack: string): Promise<CapturedRun> {
    const raw = stackConfig(stack);
    return runProgramForEngine({ stack, values: raw.values, secretKeys: [...raw.secretKeys] });
}

export { serializedInputs };
