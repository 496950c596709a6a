import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, isSecretName, redactArgv, redactJson, redactText, redactUrl, registerSecret } from "./redact.js";

afterEach(() => clearSecrets());

describe("redaction", () => {
  it("knows secret names from ordinary ones", () => {
    for (const name of ["apiKey", "--api-key", "X-Api-Key", "hf_token", "clientSecret", "password", "access_token", "X-Amz-Signature"])
      expect(isSecretName(name)).toBe(true);
    for (const name of ["max_tokens", "tokenizer", "--api-key-env", "--api-key-secret", "s3Secret", "maxTokens", "output_tokens_per_s", "model"])
      expect(isSecretName(name)).toBe(false);
  });

  it("redacts URL userinfo and secret query parameters, keeping the rest", () => {
    expect(redactUrl("http://user:pw@host:8000/metrics?token=abc&n=1")).toBe("http://[redacted]@host:8000/metrics?token=[redacted]&n=1");
    expect(redactText('{"url": "http://u:p@h/x?api_key=zz"}')).toBe('{"url": "http://[redacted]@h/x?api_key=[redacted]"}');
    expect(redactText("see http://h/v1?model=x")).toBe("see http://h/v1?model=x");
  });

  it("redacts the value of secret-named flags in command lines, argv lists and YAML lists", () => {
    expect(redactText("vllm serve m --api-key sk-abc123 --max-tokens 16")).toBe("vllm serve m --api-key [redacted] --max-tokens 16");
    expect(redactText("x --hf-token=hf_1234 --tokenizer t")).toBe("x --hf-token=[redacted] --tokenizer t");
    expect(redactText('command: [vllm, --api-key, sk-abc123, --port, "8000"]')).toBe('command: [vllm, --api-key, [redacted], --port, "8000"]');
    expect(redactArgv(["vllm", "--api-key", "sk-abc123", "--port", "1"])).toEqual(["vllm", "--api-key", "[redacted]", "--port", "1"]);
    expect(redactText("  --api-key-secret <name>  the Secret")).toBe("  --api-key-secret <name>  the Secret");
  });

  it("redacts secret-named keys and bearer tokens, never numbers", () => {
    expect(redactText('{"apiKey": "sk-1234567", "maxTokens": 16}')).toBe('{"apiKey": "[redacted]", "maxTokens": 16}');
    expect(redactText("authorization: Bearer abcdef123")).toContain("[redacted]");
    expect(redactText("authorization: Bearer abcdef123")).not.toContain("abcdef123");
  });

  it("redacts registered environment values in every spelling, but not short or numeric ones", () => {
    registerSecret('s3cr"et-value');
    registerSecret("8000");
    expect(redactText('a s3cr"et-value b')).toBe("a [redacted] b");
    expect(redactText(JSON.stringify({ m: 's3cr"et-value' }))).toBe('{"m":"[redacted]"}');
    expect(redactText("s3cr&quot;et-value")).toBe("[redacted]");
    expect(redactText("port 8000")).toBe("port 8000");
  });

  it("redacts JSON values deeply without touching numbers", () => {
    registerSecret("planted-secret-1");
    const out = redactJson({ serverCmd: "x --token planted-secret-1", n: 8000, list: ["--api-key", "k-123456"], nested: { password: "pw" } });
    expect(out).toEqual({ serverCmd: "x --token [redacted]", n: 8000, list: ["--api-key", "[redacted]"], nested: { password: "[redacted]" } });
  });
});

describe("redaction leaves prose and ordinary fields alone", () => {
  it("keeps messages that mention a variable named like a key", () => {
    const line = "--api-key-env NOPE_KEY: the environment variable NOPE_KEY is not set";
    expect(redactText(line)).toBe(line);
  });

  it("redacts YAML keys, flow maps and environment assignments", () => {
    expect(redactText("headers:\n  api_key: abcdef\n")).toBe("headers:\n  api_key: [redacted]\n");
    expect(redactText("{ token: abcdef, n: 1 }")).toBe("{ token: [redacted], n: 1 }");
    expect(redactText("HF_TOKEN=hf_abcdef vllm serve")).toBe("HF_TOKEN=[redacted] vllm serve");
  });
});

describe("names and values that are not secrets", () => {
  it("a metric named like a token count, and any JSON number, are left alone", () => {
    expect(isSecretName("joules_per_output_token")).toBe(false);
    expect(isSecretName("hf_token")).toBe(true);
    expect(redactText('{"joules_per_output_token": 0.0123, "hf_token": "abcdef123"}')).toBe('{"joules_per_output_token": 0.0123, "hf_token": "[redacted]"}');
    expect(redactText('{"access_token": -1.5e-3}')).toBe('{"access_token": -1.5e-3}');
  });
});

describe("plan text: every way YAML writes a secret, and references that are not secrets", () => {
  it("redacts the value after a secret-named flag in a YAML block list", () => {
    const yaml = "command:\n  - vllm\n  - --api-key\n  - sk-literal1\n  - '--hf-token'\n  - \"hf_literal2\"\n  - --port\n  - ${port}\n";
    expect(redactText(yaml)).toBe("command:\n  - vllm\n  - --api-key\n  - [redacted]\n  - '--hf-token'\n  - \"[redacted]\"\n  - --port\n  - ${port}\n");
    // A flag followed by another flag has no value to hide.
    expect(redactText("  - --api-key\n  - --port\n")).toBe("  - --api-key\n  - --port\n");
  });

  it("redacts the first key of a flow map that is a key's value", () => {
    expect(redactText("    env: { HF_TOKEN: hf-literal3 }\n")).toBe("    env: { HF_TOKEN: [redacted] }\n");
    expect(redactText("env: {HF_TOKEN: hf-literal4, A: 1}\n")).toBe("env: {HF_TOKEN: [redacted], A: 1}\n");
  });

  it("keeps ${name} and ${env:NAME} references as written: they are where a secret comes from, not the secret", () => {
    const kept = [
      'command: ["vllm", "--api-key", "${env:SB_KEY}"]',
      "command: [vllm, --api-key, ${env:SB_KEY}]",
      "  - --api-key\n  - ${env:SB_KEY}\n",
      "--api-key ${env:SB_KEY} --token=${token}",
      '    env: { HF_TOKEN: "${env:SB_HF}" }',
      "HF_TOKEN: ${env:SB_HF}\n",
      "HF_TOKEN=${env:SB_HF}",
      '{"apiKey": "${env:K}"}',
      "metricsUrl: http://h/metrics?token=${env:SB_MQ}",
    ];
    for (const text of kept) expect(redactText(text)).toBe(text);
    expect(redactArgv(["vllm", "--api-key", "${env:SB_KEY}"])).toEqual(["vllm", "--api-key", "${env:SB_KEY}"]);
    expect(redactJson({ env: { HF_TOKEN: "${env:SB_HF}" } })).toEqual({ env: { HF_TOKEN: "${env:SB_HF}" } });
    // A default is written literally in the plan: it is redacted like any literal.
    expect(redactText("--api-key ${env:SB_KEY:-sk-literal5}")).toBe("--api-key [redacted]");
    expect(redactText("HF_TOKEN: ${env:SB_HF:-hf-literal6}\n")).toBe("HF_TOKEN: [redacted]\n");
  });
});
