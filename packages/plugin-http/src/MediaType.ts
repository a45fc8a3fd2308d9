/**
 * The media type of a file, for `data:` URLs and model servers: an explicit choice first (one type for
 * a column, or types by extension), then the file's first bytes (a PNG named `.jpg` is a PNG), then its
 * extension, then `application/octet-stream`. Shared by the encoders that build data URLs.
 */

const startsWith = (bytes: Uint8Array, signature: ReadonlyArray<number>, offset = 0): boolean =>
  bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b)

const ascii = (text: string): ReadonlyArray<number> => Array.from(text, (c) => c.charCodeAt(0))

/** The type the content itself announces, when it is a format with a signature. */
export const sniff = (bytes: Uint8Array): string | undefined => {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png"
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg"
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif"
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp"
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WAVE"), 8)) return "audio/wav"
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("AVI "), 8)) return "video/x-msvideo"
  if (startsWith(bytes, ascii("BM"))) return "image/bmp"
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return "image/tiff"
  if (startsWith(bytes, ascii("%PDF-"))) return "application/pdf"
  if (startsWith(bytes, ascii("ID3")) || startsWith(bytes, [0xff, 0xfb]) || startsWith(bytes, [0xff, 0xf3]))
    return "audio/mpeg"
  if (startsWith(bytes, ascii("OggS"))) return "audio/ogg"
  if (startsWith(bytes, ascii("fLaC"))) return "audio/flac"
  if (startsWith(bytes, ascii("ftyp"), 4)) return "video/mp4"
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return "video/webm"
  return undefined
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  svg: "image/svg+xml",
  pdf: "application/pdf",
  wav: "audio/wav",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  flac: "audio/flac",
  m4a: "audio/mp4",
  mp4: "video/mp4",
  mov: "video/quicktime",
  avi: "video/x-msvideo",
  webm: "video/webm",
  mkv: "video/x-matroska",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  html: "text/html",
  xml: "application/xml"
}

export const extensionOf = (location: string): string => {
  const name = location.slice(location.lastIndexOf("/") + 1)
  const dot = name.lastIndexOf(".")
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase()
}

export interface MediaTypeChoice {
  /** One type for every file. */
  readonly override?: string | undefined
  /** Types by extension (`{ "dcm": "application/dicom" }`), over the built-in table and sniffing. */
  readonly byExtension?: Readonly<Record<string, string>> | undefined
}

export const of = (location: string, bytes: Uint8Array, choice: MediaTypeChoice = {}): string => {
  if (choice.override !== undefined) return choice.override
  const extension = extensionOf(location)
  return (
    choice.byExtension?.[extension] ?? sniff(bytes) ?? EXTENSIONS[extension] ?? "application/octet-stream"
  )
}

const AUDIO_FORMATS: Readonly<Record<string, string>> = {
  "audio/mpeg": "mp3",
  "audio/wav": "wav",
  "audio/ogg": "ogg",
  "audio/flac": "flac",
  "audio/mp4": "m4a"
}

/** `mp3`, `wav`, … (OpenAI's `input_audio.format`), or undefined when the file is not known audio. */
export const audioFormatOf = (location: string, bytes: Uint8Array): string | undefined =>
  AUDIO_FORMATS[of(location, bytes)]
