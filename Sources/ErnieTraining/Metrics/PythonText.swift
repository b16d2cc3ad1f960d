// Python 3 `str` behaviour the reference evaluation scripts rely on, on Unicode scalars (Python strings are code-point
// sequences, and two strings are equal only when their code points are: Swift `String ==` would also equate canonically
// equivalent strings, which Python does not).

/// Python's `str.isspace()`: the code points `str.split()` and `str.strip()` treat as whitespace.
func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
    default: false
    }
}

/// Python `re`'s `\w` on `str` patterns: `str.isalnum()` (letters Lu/Ll/Lt/Lm/Lo, or any numeric type) or `_`.
/// Combining marks are not word characters in Python, unlike in most regex engines.
func isPythonWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == "_" { return true }
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
    default: return scalar.properties.numericType != nil
    }
}

/// Python's `str.lower()`: full lowercase mapping per code point, plus the Final_Sigma rule (Σ becomes ς after a cased
/// letter when no cased letter follows, skipping case-ignorable code points both ways).
func pythonLowercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
    var result: [Unicode.Scalar] = []
    result.reserveCapacity(scalars.count)
    for (i, scalar) in scalars.enumerated() {
        if scalar.isASCII {
            result.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 32)! : scalar)
        } else if scalar == "\u{03A3}" {
            result.append(isFinalSigma(scalars, at: i) ? "\u{03C2}" : "\u{03C3}")
        } else {
            result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
    }
    return result
}

private func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
    var j = index - 1
    while j >= 0 && scalars[j].properties.isCaseIgnorable { j -= 1 }
    guard j >= 0 && scalars[j].properties.isCased else { return false }
    j = index + 1
    while j < scalars.count && scalars[j].properties.isCaseIgnorable { j += 1 }
    return j == scalars.count || !scalars[j].properties.isCased
}

/// Python's `str.split()` without arguments: runs of whitespace separate, empty pieces are dropped.
func pythonSplit(_ scalars: some Collection<Unicode.Scalar>) -> [[Unicode.Scalar]] {
    var pieces: [[Unicode.Scalar]] = [], current: [Unicode.Scalar] = []
    for scalar in scalars {
        if isPythonWhitespace(scalar) {
            if !current.isEmpty { pieces.append(current); current = [] }
        } else {
            current.append(scalar)
        }
    }
    if !current.isEmpty { pieces.append(current) }
    return pieces
}

/// Python's `str.strip()` without arguments.
func pythonStripped(_ scalars: [Unicode.Scalar]) -> ArraySlice<Unicode.Scalar> {
    guard let first = scalars.firstIndex(where: { !isPythonWhitespace($0) }),
          let last = scalars.lastIndex(where: { !isPythonWhitespace($0) }) else { return [] }
    return scalars[first...last]
}
