import { describe, expect, it } from "vitest";
import { clearSecrets, registerSecret } from "../config/redact.js";
import { checkDnsLabel, checkEndpointUrl, checkImage, checkObjectName, checkQuantity, checkRegion, refuseSecretsInRunArgs } from "./k8s-values.js";
import { parseStorage } from "./manifest.js";

describe("Kubernetes option values", () => {
  const hostile = ["a\nb", "a: b", "Bench", "-x", "x-", "a b", "a/b", `x${"y".repeat(63)}`];

  it("namespaces are DNS labels", () => {
    expect(checkDnsLabel("bench-1", "--namespace")).toBe("bench-1");
    for (const v of hostile)
      expect(() => checkDnsLabel(v, "--namespace")).toThrow(
        expect.objectContaining({ code: "E_BAD_FLAG", message: expect.stringMatching(/^--namespace: .* DNS label/) }),
      );
  });

  it("Secret and claim names are object names", () => {
    expect(checkObjectName("api.key-1", "--api-key-secret")).toBe("api.key-1");
    for (const v of hostile.slice(0, 7)) expect(() => checkObjectName(v, "--api-key-secret")).toThrow(/^--api-key-secret: /);
    expect(parseStorage("pvc:results-1", {})).toEqual({ kind: "pvc", claim: "results-1" });
    expect(() => parseStorage("pvc:a: b", {})).toThrow(/^--storage pvc:CLAIM: "a: b"/);
    expect(() => parseStorage("pvc:x\nkind: Secret", {})).toThrow(/--storage pvc:/);
    expect(() => parseStorage("s3://b/p", { secret: "a\nb" })).toThrow(/^--s3-secret/);
  });

  it("cpu and memory are quantities", () => {
    for (const v of ["2", "0.5", "500m", "2Gi", "512Mi", "1e3"]) expect(checkQuantity(v, "--cpu")).toBe(v);
    for (const v of ["2\nkind: Pod", "a: b", "two", "-1", "0", "2 Gi", ""])
      expect(() => checkQuantity(v, "--memory")).toThrow(/^--memory: .* Kubernetes quantity/);
  });

  it("image, S3 endpoint and region are what they say, never a newline or a YAML key", () => {
    for (const v of ["servebench/servebench:0.1.0", "ghcr.io/acme/servebench:v1", "registry.local:5000/sb/servebench", `sb@sha256:${"a".repeat(64)}`])
      expect(checkImage(v, "--image")).toBe(v);
    for (const v of ["sb:1\nkind: Pod", "a: b", "sb latest", ""]) expect(() => checkImage(v, "--image")).toThrow(/^--image: .* container image reference/);
    for (const v of ["https://minio.example.com:9000", "http://10.0.0.5:9000/"]) expect(checkEndpointUrl(v, "--s3-endpoint")).toBe(v);
    for (const v of ["https://x\ny: z", "a: b", "ftp://x", "https://user:pw@x"])
      expect(() => checkEndpointUrl(v, "--s3-endpoint")).toThrow(/^--s3-endpoint: .* http\(s\) URL/);
    for (const v of ["us-east-1", "auto"]) expect(checkRegion(v, "--s3-region")).toBe(v);
    for (const v of ["a: b", "us\neast", ""]) expect(() => checkRegion(v, "--s3-region")).toThrow(/^--s3-region: .* region name/);
  });

  it("refuses run flags that would put a secret into the Job's command", () => {
    registerSecret("value-from-env-1");
    try {
      expect(() => refuseSecretsInRunArgs(["--model", "value-from-env-1"], "cell a")).toThrow(
        /^cell a: --model \(field model\) holds a value from the environment.*--api-key-secret NAME/,
      );
      expect(() => refuseSecretsInRunArgs(["--metrics-url", "http://h/m?token=x"], "run flags")).toThrow(/--metrics-url/);
      expect(() => refuseSecretsInRunArgs(["--url", "http://u:p@h"], "run flags")).toThrow(/--url/);
      expect(() => refuseSecretsInRunArgs(["--model", "m", "--concurrency", "4"], "run flags")).not.toThrow();
    } finally {
      clearSecrets();
    }
  });
});
