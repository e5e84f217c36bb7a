// The one call the checks worker makes into exifr's "lite" build (JPEG and TIFF/EXIF, tag names; no Node.js types).
declare module "exifr/dist/lite.esm.mjs" {
  export function parse(data: ArrayBuffer, options?: object): Promise<Record<string, unknown> | undefined>;
}
