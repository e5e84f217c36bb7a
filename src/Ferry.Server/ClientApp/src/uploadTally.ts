// The upload page's counts — per sensor folder and overall: files, bytes, done, failed — kept as each file changes
// state, so that a redraw costs the number of sensor folders, not of files. Measured in a 100,000-file upload
// (docs/benchmarks.md, "Issue 16, session 17"): a redraw that walked every file and rebuilt the totals table four times
// a second held the page's main thread for up to 166 ms in script and 352 ms in layout.

/** Where a file is in the upload. */
export enum FileState { Pending, Sending, Sent, Verified, Present, Failed, Duplicate }

/** Done: in the bucket and verified, found there already, or a duplicate of an object there (not sent). */
function isDone(state: FileState): boolean {
  return state === FileState.Verified || state === FileState.Present || state === FileState.Duplicate;
}

/** The counts of one sensor folder. */
export interface SensorTally {
  files: number;
  bytes: number;
  done: number;
  doneBytes: number;
  failed: number;
}

export class UploadTally {
  readonly sensors: SensorTally[] = [];
  files = 0;
  bytes = 0;
  done = 0;
  doneBytes = 0;
  /** Done because they were there already or are duplicates (not sent in this upload). */
  present = 0;
  failed = 0;
  /** The failed files' indices, in the order they failed. */
  readonly failures = new Set<number>();
  /** The sensor folders whose shown counts (done, failed) changed since the last takeChanged(): a redraw touches only their rows. */
  private changed = new Set<number>();

  /** The sensor folders whose counts changed since the last call. */
  takeChanged(): Set<number> {
    const changed = this.changed;
    this.changed = new Set();
    return changed;
  }

  /** Counts a new pending file of a sensor folder (numbered from 0, in the order they were found). */
  add(sensor: number, size: number): void {
    while (this.sensors.length <= sensor) this.sensors.push({ files: 0, bytes: 0, done: 0, doneBytes: 0, failed: 0 });
    const s = this.sensors[sensor];
    s.files++;
    s.bytes += size;
    this.files++;
    this.bytes += size;
  }

  /** Moves file index (of that sensor folder and size) from one state to another. */
  move(index: number, sensor: number, size: number, from: FileState, to: FileState): void {
    if (from === to) return;
    this.count(index, sensor, size, from, -1);
    this.count(index, sensor, size, to, 1);
  }

  private count(index: number, sensor: number, size: number, state: FileState, sign: 1 | -1): void {
    const s = this.sensors[sensor];
    if (isDone(state)) {
      this.changed.add(sensor);
      s.done += sign;
      s.doneBytes += sign * size;
      this.done += sign;
      this.doneBytes += sign * size;
      if (state !== FileState.Verified) this.present += sign;
    } else if (state === FileState.Failed) {
      this.changed.add(sensor);
      s.failed += sign;
      this.failed += sign;
      if (sign > 0) this.failures.add(index);
      else this.failures.delete(index);
    }
  }
}
