// Owns rasterising chart SVGs to PNG without a browser (resvg, a Rust renderer shipped as a
// prebuilt binary inside its npm package). Text uses the system's fonts.

import { Resvg } from "@resvg/resvg-js";

/** PNG bytes of an SVG string, at `scale` × its own pixel size (2 = crisp in documents). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "#ffffff",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}
