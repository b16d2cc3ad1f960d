import ArgumentParser
import Foundation

/// MindSpore's `--config_path config.yaml` (model zoo BERT's `pretrain_config.yaml`, `task_classifier_config.yaml`, …):
/// its settings become the defaults of the command line, as MindSpore's config loader makes them. Every top-level
/// `key: value` whose `--key` the subcommand has, and which the command line does not give, is appended as
/// `--key value`; `''` (MindSpore's "unset") and keys the subcommand lacks (ModelArts' `data_url`, …) are left out.
/// `device_target` is not taken (the zoo's yaml says Ascend). From the nested model section (`bert_net_cfg`, `*_net_cfg`) `seq_length` becomes the subcommand's sequence length.
/// Only the first YAML document is read (the others hold the help texts and choices).
enum MindSporeConfig {
    /// Keys not taken from a yaml: the model zoo's hardware default (`device_target: Ascend`; here the CPU unless the
    /// command line says otherwise) and the yaml's own path.
    static let skipped: Set<String> = ["device_target", "config_path"]

    /// `arguments` (subcommand first, no program name) with the yaml's settings appended.
    /// - Throws: `ValidationError` naming the file and line when it cannot be read.
    static func expand(_ arguments: [String], subcommands: [ParsableCommand.Type]) throws -> [String] {
        guard let command = arguments.first,
              let type = subcommands.first(where: { $0._commandName == command }),
              let path = value(of: "config_path", in: arguments) else { return arguments }
        let entries = try read(path)
        let known = longNames(of: type)
        let given = Set(arguments.compactMap { argument -> String? in
            guard argument.hasPrefix("--") else { return nil }
            return String(argument.dropFirst(2).prefix { $0 != "=" })
        })
        let sequenceFlag = ["max_seq_length", "max_seq_len", "seq_length"].first { known.contains($0) }
        var result = arguments
        for (key, value) in entries {
            var flag = key
            if key.hasSuffix("_net_cfg.seq_length"), let sequenceFlag { flag = sequenceFlag }
            guard !flag.contains("."), known.contains(flag), !given.contains(flag), !value.isEmpty, !skipped.contains(flag) else { continue }
            result += ["--\(flag)", value]
        }
        return result
    }

    /// The value after `--name` or in `--name=value`.
    static func value(of name: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--\(name)", index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix("--\(name)=") { return String(argument.dropFirst(name.count + 3)) }
        }
        return nil
    }

    /// Every `--long_name` in the subcommand's help, hidden options included.
    static func longNames(of type: ParsableCommand.Type) -> Set<String> {
        let help = type.helpMessage(includeHidden: true, columns: 100_000)
        var names = Set<String>()
        var rest = Substring(help)
        while let range = rest.range(of: "--") {
            let name = rest[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
            if !name.isEmpty { names.insert(String(name)) }
            rest = rest[range.upperBound...]
        }
        return names
    }

    /// The scalar settings of the first YAML document as (key, value) in file order; a nested map's keys as
    /// `parent.key`. Values lose their quotes; lists and flow maps are skipped.
    static func read(_ path: String) throws -> [(String, String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--config_path \(path): cannot read the file")
        }
        var entries: [(String, String)] = []
        var parents: [(indent: Int, key: String)] = []
        var started = false
        for (number, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(String(raw)).replacingOccurrences(of: "\r", with: "")
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "---" {
                if started { break }
                continue
            }
            guard !trimmed.isEmpty, !trimmed.hasPrefix("- ") else { continue }
            started = true
            let indent = line.prefix { $0 == " " }.count
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw ValidationError("\(path):\(number + 1): not a `key: value` line")
            }
            let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            while let last = parents.last, last.indent >= indent { parents.removeLast() }
            let fullKey = (parents.map(\.key) + [key]).joined(separator: ".")
            if value.isEmpty {
                parents.append((indent, key))
            } else if !value.hasPrefix("[") && !value.hasPrefix("{") {
                entries.append((fullKey, unquote(value)))
            }
        }
        return entries
    }

    /// `line` without a `#` comment outside quotes.
    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, character) in line.enumerated() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#" && previous.isWhitespace {
                return String(line.prefix(offset))
            }
            previous = character
        }
        return line
    }

    static func unquote(_ value: String) -> String {
        for quote in ["'", "\""] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }
}
