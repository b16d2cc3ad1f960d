import Testing
@testable import ErnieServing

/// The length-grouping cut of a batch: a chunk's cost is the pass overhead plus rows × its longest row.
@Suite struct BatchPlanTests {
    /// The cost the cut minimises, for checking it against every alternative.
    static func cost(_ lengths: [Int], _ ranges: [Range<Int>]) -> Int {
        ranges.reduce(0) { $0 + BatchPlan.overheadTokens + $1.count * lengths[$1.upperBound - 1] }
    }

    @Test func equalLengthsStayTogether() {
        #expect(BatchPlan.cut(Array(repeating: 128, count: 32)) == [0..<32])
        #expect(BatchPlan.cut([5, 6, 7]) == [0..<3])
        #expect(BatchPlan.cut([9]) == [0..<1])
        #expect(BatchPlan.cut([]) == [])
    }

    @Test func oneLongRowDoesNotPadManyShortOnes() {
        let lengths = Array(repeating: 10, count: 20) + [128]
        #expect(BatchPlan.cut(lengths) == [0..<20, 20..<21])
    }

    @Test func theCutIsOptimalOnSmallCases() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let lengths = (0..<Int.random(in: 1...9, using: &random)).map { _ in Int.random(in: 2...200, using: &random) }.sorted()
            let found = BatchPlan.cut(lengths)
            #expect(found.first?.lowerBound == 0 && found.last?.upperBound == lengths.count)
            #expect(zip(found, found.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            // Every cut is a subset of the n − 1 gaps: try them all.
            var best = Int.max
            for mask in 0..<(1 << (lengths.count - 1)) {
                var ranges: [Range<Int>] = [], start = 0
                for gap in 0..<(lengths.count - 1) where mask & (1 << gap) != 0 { ranges.append(start..<(gap + 1)); start = gap + 1 }
                ranges.append(start..<lengths.count)
                best = min(best, Self.cost(lengths, ranges))
            }
            #expect(Self.cost(lengths, found) == best, "\(lengths)")
        }
    }
}
