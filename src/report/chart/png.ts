// Owns rasterising chart SVGs to PNG without a browser (resvg, a Rust renderer shipped as a
// prebuilt binary inside its npm package). Text uses the system's fonts. Rendering runs on
// libuv's thread pool, so several charts rasterise at once.

import { renderAsync, type ResvgRenderOptions } from "@resvg/resvg-js";

function options(scale: number): ResvgRenderOptions {
  return { fitTo: { mode: "zoom", value: scale }, background: "#ffffff", font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } };
}

/** PNG bytes of an SVG string, at `scale` × its own pixel size (2 = crisp in documents). */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return (await renderAsync(svg, options(scale))).asPng();
}

/** Rasterises many SVGs, at most `parallel` at a time, in input order. */
export async function svgsToPngs(svgs: readonly string[], scale = 2, parallel = 4): Promise<Buffer[]> {
  const out: Buffer[] = new Array<Buffer>(svgs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < svgs.length) {
      const i = next++;
      out[i] = await svgToPng(svgs[i] as string, scale);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, svgs.length) }, worker));
  return out;
}
