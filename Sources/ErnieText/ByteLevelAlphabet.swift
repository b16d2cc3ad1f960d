/// GPT-2's byte ↔ character map (`bytes_to_unicode`), which byte-level BPE vocabularies are written in: the printable
/// bytes `!`…`~`, `¡`…`¬`, `®`…`ÿ` stand for themselves, the other 68 bytes (controls, space, DEL, NBSP, soft hyphen) for
/// U+0100… in byte order, so a space is `Ġ` (U+0120) and a newline `Ċ` (U+010A).
public enum ByteLevelAlphabet {
    /// The character (scalar value) of each byte.
    public static let characters: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(UInt8(byte)) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte of each character of the alphabet.
    public static let bytes: [UInt32: UInt8] = {
        var map = [UInt32: UInt8]()
        for (byte, character) in characters.enumerated() { map[character] = UInt8(byte) }
        return map
    }()

    static func isPrintable(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// `bytes` written in the alphabet, e.g. `" hé"` → `"Ġh\u{C3}\u{A9}"`.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(characters[Int(byte)])!) }
        return String(scalars)
    }

    /// The bytes a token of the alphabet stands for; nil when some character is outside it (an added token such as
    /// `<s>` is all printable ASCII, so it maps to its own bytes).
    public static func decode(_ token: String) -> [UInt8]? {
        var result = [UInt8]()
        result.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = bytes[scalar.value] else { return nil }
            result.append(byte)
        }
        return result
    }
}
