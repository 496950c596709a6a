// Owns checking values that go into Kubernetes objects before anything is rendered: names (DNS
// labels and subdomains), resource quantities, and run flags that would put a secret into a Job's
// command in plain text. Each refusal is a BenchError naming the flag. Pure.

import { isSecretName, redactText } from "../config/redact.js";
import { BenchError } from "../errors.js";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A Kubernetes quantity without sign: 2, 0.5, 500m, 2Gi, 1e3.
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE]\d+)?$/;

const shown = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

/** A namespace: a DNS label (RFC 1123) of at most 63 characters. */
export function checkDnsLabel(value: string, flag: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new BenchError(
      "E_BAD_FLAG",
      `${flag}: ${shown(value)} must be a DNS label of at most 63 characters (a-z, 0-9, -; starting and ending with a letter or digit)`,
      { where: flag },
    );
  }
  return value;
}

/** A Secret or PersistentVolumeClaim name: a DNS subdomain of at most 253 characters. */
export function checkObjectName(value: string, flag: string): string {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new BenchError("E_BAD_FLAG", `${flag}: ${shown(value)} must be a Kubernetes object name (a-z, 0-9, - and ., at most 253 characters)`, {
      where: flag,
    });
  }
  return value;
}

/** `--cpu 2`, `--memory 2Gi`: a positive Kubernetes quantity. */
export function checkQuantity(value: string, flag: string): string {
  if (!QUANTITY.test(value) || Number.parseFloat(value) <= 0) {
    throw new BenchError("E_BAD_FLAG", `${flag}: ${shown(value)} must be a Kubernetes quantity such as 2, 500m, 512Mi or 2Gi`, { where: flag });
  }
  return value;
}

/**
 * Refuses run flags that would carry a secret into the Job's command (which anyone who can read
 * the Job sees): a value from the environment, URL userinfo, a secret query parameter, a flag
 * named like a key. `where` says whose flags they are (e.g. "plan cell a").
 */
export function refuseSecretsInRunArgs(runArgs: readonly string[], where: string): void {
  runArgs.forEach((arg, i) => {
    const flag = arg.startsWith("--") ? (arg.split("=")[0] ?? arg) : (runArgs[i - 1] ?? "value");
    const named = arg.startsWith("--") && isSecretName(flag) && !arg.includes("=") ? runArgs[i + 1] !== undefined : false;
    if (named || redactText(arg) !== arg) {
      throw new BenchError(
        "E_BAD_FLAG",
        `${where}: ${flag} (field ${flag.replace(/^--/, "").replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())}) holds a value from the environment or a secret, which the Job's command would show in plain text: ` +
          "keep the API key in a Kubernetes Secret and pass --api-key-secret NAME (the shards read it from the API key variable), and keep other secrets out of the run's flags",
        { where: flag },
      );
    }
  });
}

// An image reference: [registry[:port]/]path[:tag][@digest], no spaces or control bytes.
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@[a-z0-9]+:[a-f0-9]{32,})?$/i;

/** `--image`: a container image reference (registry/path:tag or @digest). */
export function checkImage(value: string, flag: string): string {
  if (value.length > 512 || !IMAGE.test(value)) {
    throw new BenchError("E_BAD_FLAG", `${flag}: ${shown(value)} must be a container image reference such as registry.example.com/servebench:0.1.0`, {
      where: flag,
    });
  }
  return value;
}

/** `--s3-endpoint`: an http(s) URL with nothing but a host, port and path. */
export function checkEndpointUrl(value: string, flag: string): string {
  let ok = false;
  try {
    const url = new URL(value);
    ok = (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "" && !/[\s"'`$\\]/.test(value);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new BenchError(
      "E_BAD_FLAG",
      `${flag}: ${shown(value)} must be an http(s) URL such as https://minio.example.com:9000 (credentials go in --s3-secret)`,
      { where: flag },
    );
  return value;
}

/** `--s3-region`: letters, digits and dashes (us-east-1, auto). */
export function checkRegion(value: string, flag: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/i.test(value))
    throw new BenchError("E_BAD_FLAG", `${flag}: ${shown(value)} must be a region name such as us-east-1`, { where: flag });
  return value;
}
