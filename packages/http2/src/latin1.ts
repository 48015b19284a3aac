// Header names and values are octets (RFC 9113 §8.2); they are held as latin1 strings, one
// char per octet. Node's Buffer has fast latin1 methods that toString()/write() call after their
// argument checks; the hot paths call them directly.

declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(text: string, offset: number, length: number): number;
  }
}

export {};
