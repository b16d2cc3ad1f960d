/// Seeded random mutations of a file's bytes, for property tests that every reader of untrusted bytes either reads a
/// mutant or refuses it with its own error (never a crash, a hang or a read outside the buffer). The mutations are the
/// ones libFuzzer's mutator starts with: bit flips, byte overwrites with random or boundary values, erasures,
/// insertions, duplicated spans and truncations.
public enum ByteMutator {
    /// `bytes` with 1–4 random mutations (never empty).
    public static func mutate(_ bytes: [UInt8], random: inout some RandomNumberGenerator) -> [UInt8] {
        var mutant = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            if mutant.isEmpty { mutant = [0] }
            let position = Int.random(in: 0..<mutant.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0: mutant[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1: mutant[position] = UInt8.random(in: 0...255, using: &random)
            case 2: mutant[position] = [0x00, 0x01, 0x7F, 0x80, 0xFF].randomElement(using: &random)!
            case 3: mutant.removeSubrange(position..<min(mutant.count, position + Int.random(in: 1...16, using: &random)))
            case 4: mutant.insert(contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) },
                                  at: position)
            case 5:
                let end = min(mutant.count, position + Int.random(in: 1...32, using: &random))
                mutant.insert(contentsOf: mutant[position..<end], at: Int.random(in: 0...mutant.count, using: &random))
            default: mutant.removeSubrange(position...)
            }
        }
        return mutant.isEmpty ? [0] : mutant
    }
}
