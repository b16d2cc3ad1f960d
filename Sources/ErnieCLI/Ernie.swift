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
        do {
            var command = try parseAsRoot(BooleanArguments.normalize(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as TrainingError where error.isInterruption {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            Foundation.exit(Interruption.exitStatus)
        } catch {
            exit(withError: error)
        }
    }
}
