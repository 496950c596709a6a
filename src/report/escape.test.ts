// Unit tests for escaping data strings into HTML, Markdown and CSV.
import { describe, expect, it } from "vitest";
import { csvField, escapeHtml, mdCell, mdText, slug } from "./escape.js";

describe("escaping", () => {
  it("escapes HTML metacharacters and drops control characters", () => {
    expect(escapeHtml(`<img src=x onerror="a('1')">&\u0001`)).toBe("&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt;&amp;");
  });

  it("neutralises inline HTML in Markdown but keeps comparisons readable", () => {
    expect(mdText("ttft_ms<=500 and <script>x</script>")).toBe("ttft_ms<=500 and &lt;script>x&lt;/script>");
    expect(mdCell("a|b\nc")).toBe("a\\|b c");
  });

  it("quotes CSV fields only when needed", () => {
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvField(1 / 3)).toBe("0.333333");
    expect(csvField(null)).toBe("");
  });

  it("makes file-safe slugs", () => {
    expect(slug("H100X2 · tp <script>")).toBe("h100x2-tp-script");
    expect(slug("···")).toBe("x");
  });
});
