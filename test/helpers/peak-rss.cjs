// Test helper, preloaded with `node --require`: writes the process's peak RSS (KiB) to
// $SERVEBENCH_PEAK_RSS_FILE on exit, so a test can bound the CLI's memory.
process.on("exit", () => {
  const file = process.env.SERVEBENCH_PEAK_RSS_FILE;
  if (file) require("node:fs").writeFileSync(file, String(process.resourceUsage().maxRSS));
});
