// Error codes are data; exit codes are the CLI's vocabulary for them: machinery failures, an
// interruption and an unreachable target are told apart from bad input.
import { describe, expect, it } from "vitest";
import { EXIT, EXIT_OF_ERROR } from "./exit-codes.js";

describe("exit code of each error code", () => {
  it("tells bad input, target failure, tool failure and interruption apart", () => {
    expect(EXIT_OF_ERROR.E_BAD_FLAG).toBe(EXIT.badInput);
    expect(EXIT_OF_ERROR.E_UNREACHABLE).toBe(EXIT.targetFailed);
    expect(EXIT_OF_ERROR.E_KUBECTL).toBe(8);
    expect(EXIT_OF_ERROR.E_WORKER).toBe(8);
    expect(EXIT_OF_ERROR.E_INTERRUPTED).toBe(130);
    expect(EXIT_OF_ERROR.E_STRICT_MISMATCH).toBe(EXIT.strictMismatch);
    for (const [code, exit] of Object.entries(EXIT_OF_ERROR)) expect([EXIT.ok, EXIT.crash], code).not.toContain(exit);
  });
});
