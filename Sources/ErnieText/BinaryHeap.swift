/// An element of a `BinaryHeap`: `precedes` is the strict order in which elements leave it (a total order gives a
/// deterministic pop sequence).
protocol HeapOrdered {
    func precedes(_ other: Self) -> Bool
}

/// A binary heap: `pop` returns the element that precedes every other. The one priority queue of the BPE trainers and
/// SentencePiece's BPE encoder.
struct BinaryHeap<Element: HeapOrdered> {
    private(set) var elements: [Element] = []

    var isEmpty: Bool { elements.isEmpty }

    mutating func removeAll() { elements.removeAll(keepingCapacity: true) }

    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child].precedes(elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !elements.isEmpty else { return nil }
        let top = elements[0]
        let last = elements.removeLast()
        if !elements.isEmpty {
            elements[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var first = parent
                if left < elements.count && elements[left].precedes(elements[first]) { first = left }
                if right < elements.count && elements[right].precedes(elements[first]) { first = right }
                if first == parent { break }
                elements.swapAt(parent, first)
                parent = first
            }
        }
        return top
    }
}
