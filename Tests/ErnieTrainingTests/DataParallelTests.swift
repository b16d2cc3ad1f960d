import ErnieEngine
import ErnieModels
import Foundation
import Testing
@testable import ErnieTraining

@Suite struct DataParallelPiecesTests {
    @Test func shardLayoutIsBalancedAndDeterministic() {
        let parameters = [("a", 1000), ("b", 10), ("c", 600), ("d", 400), ("e", 10), ("f", 5)].map { (name: $0.0, count: $0.1) }
        let layout = ShardLayout(parameters: parameters, degree: 2)
        #expect(layout.owners == ["a": 0, "c": 1, "d": 1, "b": 0, "e": 1, "f": 0])
        #expect(layout.loads == [1015, 1010])
        #expect(ShardLayout(parameters: parameters, degree: 2) == layout)
        #expect(Set(ShardLayout(parameters: parameters, degree: 1).owners.values) == [0])
    }

    @Test func stateTensorsSurviveTheirByteForm() throws {
        let tensors = ["m.x": try Tensor(shape: [2, 3], values: [1, -2, 3.5, 4, 5, .infinity]),
                       "v.y": try Tensor(shape: [1], values: [0.25]), "v.empty": Tensor(shape: [0])]
        let decoded = try StateTensorCoding.decode(StateTensorCoding.encode(tensors))
        #expect(decoded.keys.sorted() == tensors.keys.sorted())
        for (name, tensor) in tensors {
            #expect(decoded[name]!.shape == tensor.shape)
            #expect(decoded[name]!.values == tensor.values)
        }
        #expect(try StateTensorCoding.decode([]).isEmpty)
        #expect(throws: StateTensorCoding.Truncated.self) { try StateTensorCoding.decode(Array(StateTensorCoding.encode(tensors).dropLast())) }
    }

    /// Buckets pack small tensors together, hand large ones over in place, and write every result back.
    @Test func bucketsCoverEveryTensorOnce() throws {
        let sizes = [3, 7, 1, 20, 5, 5, 9]
        let tensors = try sizes.enumerated().map { i, n in try Tensor(shape: [n], values: (0..<n).map { Float(i * 100 + $0) }) }
        var calls: [Int] = []
        BucketedCollective(bucketScalars: 10).run(tensors) { pointer, count in
            calls.append(count)
            for i in 0..<count { pointer[i] *= 2 }
        }
        #expect(calls == [3 + 7, 20, 1 + 5, 5, 9])  // the large one goes while [1] waits for company
        for (i, tensor) in tensors.enumerated() {
            #expect(tensor.values == (0..<sizes[i]).map { Float(i * 100 + $0) * 2 })
        }
    }

    @Test func shardingFlagsMustFitTheLaunch() throws {
        var c = PretrainingConfiguration(modelNameOrPath: "m", inputDir: "d", outputDir: "o")
        #expect(try c.effectiveShardingDegree(worldSize: 4) == 1)
        c.useSharding = true
        #expect(try c.effectiveShardingDegree(worldSize: 4) == 4)
        c.shardingDegree = 2
        #expect(try c.effectiveShardingDegree(worldSize: 4) == 2)
        c.dpDegree = 3
        #expect(throws: TrainingError.self) { try c.effectiveShardingDegree(worldSize: 4) }
        c.dpDegree = nil
        c.shardingDegree = 3
        #expect(throws: TrainingError.self) { try c.effectiveShardingDegree(worldSize: 4) }
        c.shardingDegree = 2
        c.useSharding = false
        #expect(throws: TrainingError.self) { try c.effectiveShardingDegree(worldSize: 4) }
    }
}

/// OpenMPI's launcher (openmpi-bin), if installed.
enum MPI {
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// `mpirun -np 2 ernie pretrain|finetune` against one rank doing the same work (needs openmpi-bin and the ernie binary).
@Suite(.serialized, .enabled(if: KillAndResumeTests.binary != nil, KillAndResumeTests.binaryAbsent),
       .enabled(if: MPI.mpirun != nil, "mpirun is missing: apt-get install openmpi-bin"))
struct DataParallelLaunchTests {
    /// The runnable pieces (the suite's traits make sure both are there).
    func tools() -> (ernie: URL, mpirun: String) { (KillAndResumeTests.binary!, MPI.mpirun!) }

    func pretrainArguments(_ fixture: PretrainingFixture, output: String, micro: Int, steps: Int = 12) -> [String] {
        ["pretrain", "--model_name_or_path", fixture.model.path, "--tokenizer_name_or_path", fixture.vocabulary.path,
         "--input_dir", fixture.prefix, "--output_dir", fixture.directory.appendingPathComponent(output).path,
         "--max_seq_len", "32", "--micro_batch_size", "\(micro)", "--global_batch_size", "8", "--max_steps", "\(steps)",
         "--checkpoint_steps", "3", "--save_steps", "1000", "--eval_freq", "6", "--eval_iters", "2", "--max_lr", "1e-3",
         "--warmup_rate", "0.2", "--grad_clip", "1.0", "--logging_freq", "1",
         "--hidden_dropout_prob", "0", "--attention_probs_dropout_prob", "0"]
    }

    /// Runs a command to its end (or kills a rank of it once `model_last` reaches `killRankAfterStep`); returns
    /// the exit status and the seconds from the kill to the end of the job.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], killRankAfterStep: Int? = nil, output: URL? = nil) throws -> (status: Int32, afterKill: Double?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var killedAt: Date?
        if let killRankAfterStep, let output {
            let state = output.appendingPathComponent("model_last/trainer_state.json")
            let deadline = Date().addingTimeInterval(300)
            while process.isRunning && Date() < deadline && killedAt == nil {
                if let data = try? Data(contentsOf: state),
                   let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                   let step = json["global_step"] as? Int, step >= killRankAfterStep,
                   let rank = childProcesses(of: process.processIdentifier).last {
                    kill(rank, SIGKILL)
                    killedAt = Date()
                }
                usleep(20_000)
            }
        }
        process.waitUntilExit()
        return (process.terminationStatus, killedAt.map { Date().timeIntervalSince($0) })
    }

    /// Processes whose parent is `pid` (from /proc), in pid order.
    func childProcesses(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid
        }.sorted()
    }

    func mpi(_ tools: (ernie: URL, mpirun: String), ranks: Int, _ arguments: [String]) -> [String] {
        ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", "-x", "ERNIE_NUM_THREADS=1", tools.ernie.path] + arguments
    }

    func losses(_ directory: URL, _ key: String) throws -> [Int: Double] {
        let rows = try MetricsLog.readRows(at: directory.appendingPathComponent("logs/metrics.jsonl"))
        return Dictionary(rows.compactMap { row in row.step.flatMap { step in row.number(key).map { (step, $0) } } }, uniquingKeysWith: { $1 })
    }

    func expectClose(_ a: [Int: Double], _ b: [Int: Double], relative: Double, _ what: String) {
        #expect(!a.isEmpty && a.keys.sorted() == b.keys.sorted(), "\(what): steps \(a.keys.sorted()) vs \(b.keys.sorted())")
        var worst = 0.0
        for (step, x) in a {
            guard let y = b[step] else { continue }
            worst = max(worst, abs(x - y) / abs(x))
            #expect(abs(x - y) <= relative * abs(x), "\(what) at step \(step): \(x) vs \(y)")
        }
        print("\(what): worst relative difference \(worst) over \(a.count) steps")
    }

    /// 2 ranks × micro-batch 4 take the steps of 1 rank × micro-batch 8, with and without optimizer sharding;
    /// only rank 0 writes, and the checkpoints have one layout whatever the number of ranks.
    @Test func twoRanksEqualOneRankWithTheSameGlobalBatch() throws {
        let tools = tools()
        let fixture = try PretrainingFixture()
        defer { fixture.remove() }
        let one = fixture.directory.appendingPathComponent("one")
        let two = fixture.directory.appendingPathComponent("two")
        let sharded = fixture.directory.appendingPathComponent("sharded")
        #expect(try run(tools.ernie.path, pretrainArguments(fixture, output: "one", micro: 8)).status == 0)
        #expect(try run(tools.mpirun, mpi(tools, ranks: 2, pretrainArguments(fixture, output: "two", micro: 4))).status == 0)
        #expect(try run(tools.mpirun, mpi(tools, ranks: 2, pretrainArguments(fixture, output: "sharded", micro: 4) + ["--use_sharding", "true"])).status == 0)

        let reference = try losses(one, "loss")
        #expect(reference.count == 12)
        for (directory, name) in [(two, "2 ranks"), (sharded, "2 ranks, sharded")] {
            // Measured: loss ≤ 8.3e-8, eval_loss ≤ 4.4e-8 relative; bar 2e-6 (headroom: the ranks run 1 thread, the
            // single-rank run several, and other CPUs' GEMMs round differently).
            expectClose(reference, try losses(directory, "loss"), relative: 2e-6, "\(name) loss")
            expectClose(try losses(one, "eval_loss"), try losses(directory, "eval_loss"), relative: 2e-6, "\(name) eval_loss")
            // Weights and optimizer moments in the single-rank layout, equal to the single-rank run's.
            for file in ["model.safetensors", "optimizer.safetensors"] {
                let a = try SafetensorsFile(contentsOf: one.appendingPathComponent("model_last/\(file)"))
                let b = try SafetensorsFile(contentsOf: directory.appendingPathComponent("model_last/\(file)"))
                #expect(a.names.sorted() == b.names.sorted(), "\(name) \(file) names")
                var worst = (difference: 0.0, tensor: "")
                // The attention key bias gets a gradient that is zero in exact arithmetic (softmax ignores a score
                // shift shared by all keys), so what AdamW does with it is rounding noise in any two runs.
                for tensor in a.names where b.names.contains(tensor) && !tensor.hasSuffix("attention.self.key.bias") {
                    let x = try a.floats(named: tensor), y = try b.floats(named: tensor)
                    let scale = Double(x.map { abs($0) }.max() ?? 0) + 1e-12
                    let difference = zip(x, y).map { Double(abs($0 - $1)) / scale }.max() ?? 0
                    if difference > worst.difference { worst = (difference, tensor) }
                }
                print("\(name) \(file): worst difference \(worst.difference) of \(worst.tensor)'s scale")
                // Measured: weights ≤ 1.2e-6, moments ≤ 6.7e-7 of the tensor's scale; bar 2e-5 (headroom as above).
                #expect(worst.difference <= 2e-5, "\(name) \(file): worst difference \(worst.difference) of \(worst.tensor)'s scale")
            }
        }
        // Rank 0 alone writes: one metrics row per step, no stray files from rank 1.
        #expect(try MetricsLog.readRows(at: two.appendingPathComponent("logs/metrics.jsonl")).filter { $0.number("loss") != nil }.compactMap(\.step) == Array(1...12))
        #expect(try losses(two, "comm_s").count == 12)
    }

    /// A rank killed with SIGKILL ends the whole job promptly, and the same command resumes from model_last to the
    /// losses of an uninterrupted 2-rank run.
    @Test func killedRankStopsTheJobAndARestartResumes() throws {
        let tools = tools()
        let fixture = try PretrainingFixture()
        defer { fixture.remove() }
        let straight = fixture.directory.appendingPathComponent("straight")
        #expect(try run(tools.mpirun, mpi(tools, ranks: 2, pretrainArguments(fixture, output: "straight", micro: 4, steps: 30))).status == 0)
        // A job that ends before the poll sees step 6 (a fast machine) is tried again in a fresh directory.
        var killed = fixture.directory, arguments: [String] = []
        var interrupted: (status: Int32, afterKill: Double?) = (0, nil)
        for attempt in 0..<5 where interrupted.status == 0 {
            killed = fixture.directory.appendingPathComponent("killed\(attempt)")
            arguments = mpi(tools, ranks: 2, pretrainArguments(fixture, output: killed.lastPathComponent, micro: 4, steps: 30))
            interrupted = try run(tools.mpirun, arguments, killRankAfterStep: 6, output: killed)
        }
        #expect(interrupted.status != 0, "the job was expected to fail")
        #expect((interrupted.afterKill ?? .infinity) < 60, "the job took \(interrupted.afterKill ?? .infinity) s to stop after a rank died")
        print("mpirun ended \(interrupted.afterKill ?? .infinity) s after a rank was killed (status \(interrupted.status))")
        #expect(Pretrainer.lastCheckpoint(in: killed) != nil)
        #expect(try run(tools.mpirun, arguments).status == 0)
        let a = try losses(straight, "loss"), b = try losses(killed, "loss")
        #expect(a.count == 30)
        #expect(a == b, "resumed losses differ from the uninterrupted run")
    }

    /// Fine-tuning: 2 ranks × 4 examples per step, and 2 ranks × 2 examples × 2 accumulated micro-batches, equal
    /// 1 rank × 8 (same order, dropout 0); and the same with LAMB, the 2 ranks sharding its state.
    @Test func fineTuningTwoRanksEqualOneRank() throws {
        let tools = tools()
        // 21 examples: the last step of each epoch has 5, so rank 1 gets 1 and then none.
        let texts = (0..<21).map { i in (i % 3 == 0 ? "好看好用" : "难用难看") + String(repeating: "很", count: i % 5) }
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: texts)
        let directory = try FineTuningTestSupport.temporaryDirectory("dp")
        defer { try? FileManager.default.removeItem(at: directory); try? FileManager.default.removeItem(at: model) }
        let train = directory.appendingPathComponent("train.json")
        try FineTuningTestSupport.write(texts.enumerated().map { i, text in "{\"sentence\": \"\(text)\", \"label\": \"\(i % 3 == 0 ? "pos" : "neg")\"}" }, to: train)
        func arguments(_ output: String, batch: Int, accumulation: Int = 1) -> [String] {
            ["finetune", "--gradient_accumulation_steps", "\(accumulation)", "--task_name", "seq-cls", "--model_name_or_path", model.path,
             "--train_file", train.path, "--validation_file", train.path,
             "--output_dir", directory.appendingPathComponent(output).path, "--do_train", "--do_eval",
             "--per_device_train_batch_size", "\(batch)", "--num_train_epochs", "2", "--learning_rate", "1e-3",
             "--logging_steps", "1", "--max_seq_length", "32", "--seed", "7",
             "--hidden_dropout_prob", "0", "--attention_probs_dropout_prob", "0", "--classifier_dropout", "0"]
        }
        #expect(try run(tools.ernie.path, arguments("one", batch: 8)).status == 0)
        #expect(try run(tools.mpirun, mpi(tools, ranks: 2, arguments("two", batch: 4))).status == 0)
        #expect(try run(tools.mpirun, mpi(tools, ranks: 2, arguments("accumulated", batch: 2, accumulation: 2))).status == 0)
        // ZeRO-1 in fine-tuning too, with LAMB (the state each rank keeps is its shard's).
        #expect(try run(tools.ernie.path, arguments("lamb", batch: 8) + ["--optimizer", "lamb"]).status == 0)
        #expect(try run(tools.mpirun, mpi(tools, ranks: 2, arguments("lamb-sharded", batch: 4) + ["--optimizer", "lamb", "--use_sharding"])).status == 0)
        let one = directory.appendingPathComponent("one")
        #expect(try losses(one, "loss").count == 6)
        // Measured: loss ≤ 8.6e-8 (LAMB 4.3e-8), eval_loss 0 relative; bar 2e-6 (headroom: 1 thread per rank against
        // several in the single-rank run, and other CPUs' GEMMs).
        expectClose(try losses(directory.appendingPathComponent("lamb"), "loss"), try losses(directory.appendingPathComponent("lamb-sharded"), "loss"),
                    relative: 2e-6, "fine-tuning loss (LAMB, 2 ranks sharded vs 1 rank)")
        for other in ["two", "accumulated"].map(directory.appendingPathComponent) {
            expectClose(try losses(one, "loss"), try losses(other, "loss"), relative: 2e-6, "fine-tuning loss (\(other.lastPathComponent))")
            expectClose(try losses(one, "eval_loss"), try losses(other, "eval_loss"), relative: 2e-6, "fine-tuning eval_loss (\(other.lastPathComponent))")
        }
    }
}
