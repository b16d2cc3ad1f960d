import Foundation

/// The Unicode script of characters, for the trainer's rule that a piece does not mix scripts. Looked up through
/// ICU's `\p{Script=…}` (Foundation's regular expressions), once per distinct character of the corpus.
enum UnicodeScripts {
    /// Script property values as ICU names them (Unicode 15). A name ICU does not know is skipped; a character in
    /// none of them (unassigned) counts as Common, as SentencePiece's table does.
    static let names = [
        "Common", "Inherited", "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Syriac", "Thaana",
        "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala",
        "Thai", "Lao", "Tibetan", "Myanmar", "Georgian", "Hangul", "Ethiopic", "Cherokee", "Canadian_Aboriginal",
        "Ogham", "Runic", "Khmer", "Mongolian", "Hiragana", "Katakana", "Bopomofo", "Han", "Yi", "Old_Italic", "Gothic",
        "Deseret", "Tagalog", "Hanunoo", "Buhid", "Tagbanwa", "Limbu", "Tai_Le", "Linear_B", "Ugaritic", "Shavian",
        "Osmanya", "Cypriot", "Braille", "Buginese", "Coptic", "New_Tai_Lue", "Glagolitic", "Tifinagh", "Syloti_Nagri",
        "Old_Persian", "Kharoshthi", "Balinese", "Cuneiform", "Phoenician", "Phags_Pa", "Nko", "Sundanese", "Lepcha",
        "Ol_Chiki", "Vai", "Saurashtra", "Kayah_Li", "Rejang", "Lycian", "Carian", "Lydian", "Cham", "Tai_Tham",
        "Tai_Viet", "Avestan", "Egyptian_Hieroglyphs", "Samaritan", "Lisu", "Bamum", "Javanese", "Meetei_Mayek",
        "Imperial_Aramaic", "Old_South_Arabian", "Inscriptional_Parthian", "Inscriptional_Pahlavi", "Old_Turkic",
        "Kaithi", "Batak", "Brahmi", "Mandaic", "Chakma", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao",
        "Sharada", "Sora_Sompeng", "Takri", "Caucasian_Albanian", "Bassa_Vah", "Duployan", "Elbasan", "Grantha",
        "Pahawh_Hmong", "Khojki", "Linear_A", "Mahajani", "Manichaean", "Mende_Kikakui", "Modi", "Mro",
        "Old_North_Arabian", "Nabataean", "Palmyrene", "Pau_Cin_Hau", "Old_Permic", "Psalter_Pahlavi", "Siddham",
        "Khudawadi", "Tirhuta", "Warang_Citi", "Ahom", "Anatolian_Hieroglyphs", "Hatran", "Multani", "Old_Hungarian",
        "SignWriting", "Adlam", "Bhaiksuki", "Marchen", "Newa", "Osage", "Tangut", "Masaram_Gondi", "Nushu", "Soyombo",
        "Zanabazar_Square", "Dogra", "Gunjala_Gondi", "Makasar", "Medefaidrin", "Hanifi_Rohingya", "Sogdian",
        "Old_Sogdian", "Elymaic", "Nandinagari", "Nyiakeng_Puachue_Hmong", "Wancho", "Chorasmian", "Dives_Akuru",
        "Khitan_Small_Script", "Yezidi", "Cypro_Minoan", "Old_Uyghur", "Tangsa", "Toto", "Vithkuqi", "Kawi",
        "Nag_Mundari",
    ]

    static let common: Int16 = 0
    static let inherited: Int16 = 1
    static let hiragana = Int16(names.firstIndex(of: "Hiragana")!)
    static let katakana = Int16(names.firstIndex(of: "Katakana")!)
    static let han = Int16(names.firstIndex(of: "Han")!)

    /// The script (an index into `names`) of each of `characters`.
    static func scripts(of characters: [UInt32]) -> [UInt32: Int16] {
        var result = [UInt32: Int16](minimumCapacity: characters.count)
        let scalars = characters.compactMap(Unicode.Scalar.init)
        for scalar in scalars { result[scalar.value] = common }
        // One string of all characters; each match is one character, mapped back through its UTF-16 offset.
        var text = String.UnicodeScalarView()
        var characterAtOffset: [Int: UInt32] = [:]
        var offset = 0
        for scalar in scalars {
            characterAtOffset[offset] = scalar.value
            text.append(scalar)
            offset += scalar.utf16.count
        }
        let string = String(text)
        let range = NSRange(location: 0, length: offset)
        for (index, name) in names.enumerated() where index != Int(common) {
            guard let expression = try? NSRegularExpression(pattern: "\\p{Script=\(name)}") else { continue }
            for match in expression.matches(in: string, range: range) {
                if let character = characterAtOffset[match.range.location] { result[character] = Int16(index) }
            }
        }
        return result
    }
}
