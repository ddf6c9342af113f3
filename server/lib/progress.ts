/** A progress bar on stderr for long command-line work (plain lines when stderr is not a terminal). */
export interface Progress {
  update(done: number): void;
  done(message?: string): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WritableStream = process.stderr): Progress {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  const started = Date.now();
  let lastPrinted = -1;
  const render = (done: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const percent = Math.floor(ratio * 100);
    if (!tty && percent < lastPrinted + 10 && done < total) return;
    lastPrinted = percent;
    const width = 30;
    const filled = Math.round(ratio * width);
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    const line = `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}% ${done}/${total} (${Math.round(rate)}/s)`;
    if (tty) stream.write(`\r${line}`);
    else stream.write(`${line}\n`);
  };
  return {
    update: render,
    done(message) {
      render(total);
      if (tty) stream.write("\n");
      if (message) stream.write(`${message}\n`);
    },
  };
}
