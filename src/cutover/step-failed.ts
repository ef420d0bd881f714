/** How a step that did not succeed is told: to the operator, in the phase record and in the audit log. */
import { redact } from '../secrets/redact.ts';
import type { StepFailureDetails, StepFailureFacts } from './step-details.ts';

/** A step that cannot succeed now; the message says what to do. */
export class StepFailed extends Error {
  override name = 'StepFailed';
  readonly details: StepFailureFacts;
  constructor(message: string, details: StepFailureFacts = {}) {
    super(message);
    this.details = details;
  }
}

/**
 * What to record of an error a step threw. A hook's own advice (`fix`) and captured output
 * (`result`) belong in front of the operator and in the audit log; any error may carry
 * them (the hook runner's `HookError` does), so they are looked for, not assumed.
 */
export function describeFailure(err: unknown): StepFailureDetails {
  const fix =
    typeof err === 'object' && err !== null && 'fix' in err && typeof err.fix === 'string' ? ` (fix: ${err.fix})` : '';
  const hook = typeof err === 'object' && err !== null && 'result' in err ? err.result : undefined;
  const error = redact(`${err instanceof Error ? err.message : String(err)}${fix}`);
  return { error, ...(hook ? { hook } : {}), ...(err instanceof StepFailed ? err.details : {}) };
}
