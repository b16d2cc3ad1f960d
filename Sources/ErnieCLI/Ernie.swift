import ArgumentParser
import ErnieTraining
import Foundation

/// The `ernie` command: one binary, subcommands named by verb (see the README).
@main
struct Ernie: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ernie",
        abstract: "Pretrain, fine-tune, evaluate and serve BERT-family language models (ERNIE, BERT, …), Chinese first.",
        subcommands: [
            Tokenize.self,
            Fuzz.self,
            Distill.self,
            Segment.self,
            Vocab.self,
            Samples.self,
            Datasets.self,
            Encode.self,
            Prepare.self,
            Pretrain.self,
            Finetune.self,
            Predict.self,
            Serve.self,
            Export.self,
            Convert.self,
            Bench.self,
        ])

    /// Parses with PaddleNLP/HF boolean spellings (`BooleanArguments`), then runs the subcommand.
    static func main() async {
        var parsed: ParsableCommand.Type?
        do {
            let arguments = try MindSporeConfig.expand(Array(CommandLine.arguments.dropFirst()), subcommands: configuration.subcommands)
            var command = try parseAsRoot(BooleanArguments.normalize(arguments))
            parsed = type(of: command)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as TrainingError where error.isInterruption {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            Foundation.exit(Interruption.exitStatus)
        } catch let error as ValidationError where parsed != nil {
            // A mistake found while running a subcommand: that subcommand's usage, not the root's.
            let usage = usageString(for: parsed!)
            let path = usage.split(separator: " ").prefix { !$0.hasPrefix("-") && !$0.hasPrefix("<") && !$0.hasPrefix("[") }
            FileHandle.standardError.write(Data("Error: \(error.message)\nUsage: \(usage)\n  See '\(path.joined(separator: " ")) --help' for more information.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
