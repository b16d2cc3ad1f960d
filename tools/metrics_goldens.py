#!/usr/bin/env python3
"""Writes Tests/ErnieTrainingTests/Fixtures/metrics_goldens.json: inputs and the reference implementations' numbers
for ernie's metrics (Sources/ErnieTraining/Metrics). Run by developers, never by CI:

    python3 -m venv /tmp/venv-metrics && /tmp/venv-metrics/bin/pip install scikit-learn scipy seqeval nltk
    /tmp/venv-metrics/bin/python tools/metrics_goldens.py

References (versions are recorded in the output):
- accuracy, macro/micro F1, Matthews: scikit-learn (accuracy_score, f1_score(zero_division=0), matthews_corrcoef);
- Pearson / Spearman: scipy.stats.pearsonr / spearmanr;
- entities: seqeval.metrics (get_entities, classification_report) in the default mode;
- SQuAD v1.1: `evaluate.load("squad")` needs the Hugging Face hub (unreachable here), so the official evaluate-v1.1.py
  algorithm is restated below from its published definition;
- CMRC 2018: the official cmrc2018_evaluate.py algorithm restated below; its `nltk.word_tokenize` needs Punkt data that
  is not on PyPI, so the restatement tokenises with nltk's NLTKWordTokenizer (word_tokenize without sentence splitting).
All questions, contexts and predictions are written for this file.
"""
import collections
import json
import math
import os
import random
import re
import string

import nltk
import scipy
import seqeval
import sklearn
from nltk.tokenize import NLTKWordTokenizer
from scipy import stats
from seqeval.metrics import classification_report
from seqeval.metrics.sequence_labeling import get_entities
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests/ErnieTrainingTests/Fixtures/metrics_goldens.json")
rng = random.Random(20240607)


def number(x):
    x = float(x)
    return None if math.isnan(x) else x


# ---------------------------------------------------------------- classification
def classification_cases():
    cases = []
    def add(refs, preds, labels=None):
        kwargs = {} if labels is None else {"labels": labels}
        cases.append({
            "references": refs, "predictions": preds, "labels": labels,
            "accuracy": accuracy_score(refs, preds),
            "f1_macro": number(f1_score(refs, preds, average="macro", zero_division=0, **kwargs)),
            "f1_micro": number(f1_score(refs, preds, average="micro", zero_division=0, **kwargs)),
            "matthews": number(matthews_corrcoef(refs, preds)) if labels is None else None,
        })
    names = ["positive", "negative", "neutral", "sports", "finance", "tech"]
    for n in [1, 2, 5, 17, 64, 200]:
        for classes in [2, 3, 6]:
            refs = [rng.choice(names[:classes]) for _ in range(n)]
            # predictions: mostly right, sometimes a label the references never use, sometimes never a given label
            preds = [r if rng.random() < 0.6 else rng.choice(names[:classes + 1] if classes < 6 else names) for r in refs]
            add(refs, preds)
    add(["a", "b", "c", "a"], ["a", "a", "a", "a"])  # labels absent from predictions, constant predictions
    add(["a", "a", "a"], ["a", "a", "a"])  # one class, all right: MCC denominator 0
    add(["x", "y", "x", "y", "z"], ["x", "x", "x", "y", "y"], labels=["x", "y", "w"])  # explicit labels incl. unseen
    add(["1", "0", "1", "1", "0", "0"], ["1", "1", "1", "0", "0", "0"])
    return cases


# ---------------------------------------------------------------- correlation
def correlation_cases():
    cases = []
    for n in [2, 3, 8, 30, 100]:
        x = [round(rng.gauss(0, 2), 1) for _ in range(n)]
        y = [round(0.5 * v + rng.gauss(0, 1), 0) for v in x]  # rounding makes ties
        cases.append((x, y))
    cases.append(([1, 2, 2, 2, 3, 4, 4, 5], [5, 5, 4, 4, 4, 3, 1, 1]))
    cases.append(([1e200, -1e200, 3e199, 2e199], [1.0, 2.0, 3.0, 4.0]))
    cases.append(([1, 1, 1, 1], [1, 2, 3, 4]))  # constant: NaN
    return [{"x": [float(v) for v in x], "y": [float(v) for v in y],
             "pearson": number(stats.pearsonr(x, y).statistic),
             "spearman": number(stats.spearmanr(x, y).statistic),
             "ranks_x": [float(r) for r in stats.rankdata(x)]} for x, y in cases]


# ---------------------------------------------------------------- entities (seqeval)
def random_tags(n, scheme):
    types = ["PER", "LOC", "ORG"]
    prefixes = {"bio": ["B", "I"], "bioes": ["B", "I", "E", "S"]}[scheme]
    tags = []
    for _ in range(n):
        if rng.random() < 0.45:
            tags.append("O")
        elif rng.random() < 0.05:
            tags.append(rng.choice(prefixes))  # typeless tags: seqeval's "_"
        else:
            tags.append(rng.choice(prefixes) + "-" + rng.choice(types))
    return tags


def perturb(tags, scheme):
    out = list(tags)
    for i in range(len(out)):
        if rng.random() < 0.15:
            out[i] = random_tags(1, scheme)[0]
    return out


def entity_cases():
    cases = []
    def add(refs, preds):
        report = classification_report(refs, preds, output_dict=True, zero_division=0)
        types = {k: [v["precision"], v["recall"], v["f1-score"], v["support"]] for k, v in report.items()
                 if not k.endswith(" avg")}
        micro = report["micro avg"]
        cases.append({
            "references": refs, "predictions": preds,
            "reference_entities": [[t, s, e] for t, s, e in get_entities(refs)],
            "per_type": types,
            "micro": [micro["precision"], micro["recall"], micro["f1-score"], micro["support"]],
            "macro_f1": report["macro avg"]["f1-score"],
        })
    for scheme in ["bio", "bioes"]:
        for sentences in [1, 3, 12]:
            refs = [random_tags(rng.randint(1, 25), scheme) for _ in range(sentences)]
            add(refs, [perturb(s, scheme) for s in refs])
    # hand-made: I- without B-, type changes, E/S handling, an entity at a sentence end
    add([["I-PER", "I-PER", "O", "B-LOC", "I-LOC"], ["B-ORG", "I-ORG"]],
        [["B-PER", "I-PER", "O", "B-LOC", "I-ORG"], ["I-ORG", "I-ORG"]])
    add([["S-PER", "B-LOC", "I-LOC", "E-LOC", "O", "E-ORG"]],
        [["B-PER", "B-LOC", "E-LOC", "E-LOC", "O", "S-ORG"]])
    return cases


# ---------------------------------------------------------------- SQuAD v1.1 (official algorithm, restated)
def squad_normalize(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def squad_f1(prediction, truth):
    p, t = squad_normalize(prediction).split(), squad_normalize(truth).split()
    same = sum((collections.Counter(p) & collections.Counter(t)).values())
    if same == 0:
        return 0
    precision, recall = same / len(p), same / len(t)
    return 2 * precision * recall / (precision + recall)


def squad_em(prediction, truth):
    return squad_normalize(prediction) == squad_normalize(truth)


SQUAD = [  # (context, [(question, [answers], prediction or None)])
    ("The lighthouse on Gull Point was built in 1871 by the harbour commission. Its lamp burned whale oil until 1903, "
     "when a kerosene burner replaced it. The keeper, Ada Morrow, kept the light for thirty-two years.",
     [("When was the lighthouse built?", ["1871", "in 1871"], "1871"),
      ("Who built the lighthouse?", ["the harbour commission"], "The Harbour Commission."),
      ("What did the lamp burn first?", ["whale oil"], "whale-oil"),
      ("What replaced the whale oil?", ["a kerosene burner", "kerosene burner"], "kerosene"),
      ("Who was the keeper?", ["Ada Morrow"], "the keeper, Ada Morrow")]),
    ("Marta's bakery opens at 6 a.m. and sells rye bread, almond croissants and a lemon tart. On Sundays the bakery "
     "closes at noon. The oven, a wood-fired one, was brought from Lyon.",
     [("When does the bakery open?", ["6 a.m.", "at 6 a.m."], "6 am"),
      ("What tart does the bakery sell?", ["a lemon tart", "lemon"], "the lemon tart"),
      ("When does it close on Sundays?", ["at noon", "noon"], "12 noon"),
      ("Where was the oven brought from?", ["Lyon"], "lyon"),
      ("What kind of oven is it?", ["wood-fired"], "a wood fired one")]),
    ("The river Aln rises in the Cheviot hills and flows 39 kilometres east to the North Sea at Alnmouth. Salmon and "
     "sea trout run up the river each autumn.",
     [("Where does the Aln rise?", ["in the Cheviot hills", "Cheviot hills"], "the Cheviot Hills"),
      ("How long is the river?", ["39 kilometres"], "39 km"),
      ("Where does it meet the sea?", ["at Alnmouth", "Alnmouth"], "Alnmouth, on the North Sea"),
      ("Which fish run up the river?", ["Salmon and sea trout"], "sea trout and salmon"),
      ("When do they run?", ["each autumn"], "in autumn")]),
    ("Professor Chen's lecture on graph theory covered Euler's bridges of Königsberg, Hamiltonian cycles and the "
     "four-colour theorem. The lecture ran for ninety minutes.",
     [("Whose lecture was it?", ["Professor Chen's", "Professor Chen"], "Professor Chen"),
      ("Which city's bridges were covered?", ["Königsberg"], "Ko\u0308nigsberg"),  # decomposed umlaut
      ("Which theorem was covered?", ["the four-colour theorem"], "four colour theorem"),
      ("How long did it run?", ["ninety minutes"], "90 minutes"),
      ("What cycles were discussed?", ["Hamiltonian cycles"], "HAMILTONIAN CYCLES")]),
    ("In the game, an apple costs 3 coins, a pear costs 5 coins, and the rarest fruit, the star-melon, costs 120 coins.",
     [("What does an apple cost?", ["3 coins"], "three coins"),
      ("What is the rarest fruit?", ["the star-melon", "star-melon"], "a starmelon"),
      ("How much is the star-melon?", ["120 coins"], "120"),
      ("What costs 5 coins?", ["a pear"], "an apple, a pear"),
      ("Which is cheapest?", ["an apple", "apple"], "An"),
      ]),
    ("ΟΔΥΣΣΕΥΣ is how the name of the hero is written in capitals; his journey home took ten years after the war.",
     [("How is the hero's name written?", ["ΟΔΥΣΣΕΥΣ"], "Οδυσσευσ"),
      ("How long did the journey take?", ["ten years"], "ten years after the war"),
      ("What did he do for ten years?", ["his journey home"], ""),
      ("After what?", ["the war"], "The war!"),
      ("In what letters?", ["capitals"], None)]),  # unanswered
    ("The team's coach, Ignacio \"Nacho\" Ruiz, said the 2-1 win over Porto was the club's best since 1998.",
     [("Who is the coach?", ["Ignacio \"Nacho\" Ruiz", "Nacho Ruiz"], "Ignacio Ruiz"),
      ("What was the score?", ["2-1"], "2–1"),
      ("Who did they beat?", ["Porto"], "over Porto"),
      ("Since when was it the best win?", ["since 1998", "1998"], "1998."),
      ("What was his nickname?", ["Nacho"], "\"Nacho\"")]),
    ("A the-the-an sequence appears in the puzzle: 'an a the' must be read aloud, then the answer is 'theatre'.",
     [("What must be read aloud?", ["'an a the'"], "an a the"),
      ("What is the answer?", ["theatre"], "the theatre"),
      ("What sequence appears?", ["the-the-an"], "thethean"),
      ("Where does it appear?", ["in the puzzle"], "the puzzle"),
      ("What is read aloud first?", ["an"], "A")]),
    ("The station's clock was set to 12:45 when the storm cut the power; the repair crew arrived at 3:10.",
     [("What time did the clock show?", ["12:45"], "1245"),
      ("What cut the power?", ["the storm"], "storm"),
      ("When did the crew arrive?", ["at 3:10", "3:10"], "3:10 pm"),
      ("Who arrived?", ["the repair crew"], "repair crew arrived"),
      ("What was set?", ["The station's clock"], "the stations clock")]),
    ("Noor planted basil, thyme and mint along the south wall; the mint spread so fast that she moved it into pots.",
     [("What did Noor plant?", ["basil, thyme and mint"], "basil thyme mint"),
      ("Where?", ["along the south wall"], "south wall"),
      ("What spread fast?", ["the mint"], "mint mint"),
      ("Where did she move it?", ["into pots"], "pots"),
      ("Who planted herbs?", ["Noor"], "noor\u00a0")]),  # non-breaking space
]


def squad_golden():
    dataset, predictions, per_question = {"version": "1.1", "data": []}, {}, []
    exact = f1 = total = 0
    for p, (context, qas) in enumerate(SQUAD):
        paragraph = {"context": context, "qas": []}
        for q, (question, answers, prediction) in enumerate(qas):
            qid = f"q{p:02d}{q}"
            paragraph["qas"].append({"id": qid, "question": question,
                                     "answers": [{"text": a, "answer_start": max(context.find(a), 0)} for a in answers]})
            total += 1
            if prediction is None:
                continue
            predictions[qid] = prediction
            em_q = max(squad_em(prediction, a) for a in answers)
            f1_q = max(squad_f1(prediction, a) for a in answers)
            exact += em_q
            f1 += f1_q
            per_question.append({"id": qid, "exact_match": float(em_q), "f1": f1_q,
                                 "normalized": squad_normalize(prediction)})
        dataset["data"].append({"title": f"paragraph {p}", "paragraphs": [paragraph]})
    return {"dataset": dataset, "predictions": predictions, "per_question": per_question,
            "exact_match": 100.0 * exact / total, "f1": 100.0 * f1 / total, "total": total}


# ---------------------------------------------------------------- CMRC 2018 (official algorithm, restated)
CMRC_PUNCTUATION = ['-', ':', '_', '*', '^', '/', '\\', '~', '`', '+', '=', '，', '。', '：', '？', '！', '“', '”', '；',
                    '’', '《', '》', '……', '·', '、', '「', '」', '（', '）', '－', '～', '『', '』']
WORDS = NLTKWordTokenizer()


def cmrc_segments(text):
    text = str(text).lower().strip()
    out, pending = [], ""
    for ch in text:
        if ch in CMRC_PUNCTUATION:
            continue
        if re.search(r"[\u4e00-\u9fa5]", ch):
            if pending:
                out.extend(WORDS.tokenize(pending))
                pending = ""
            out.append(ch)
        else:
            pending += ch
    if pending:
        out.extend(WORDS.tokenize(pending))
    return out


def cmrc_remove_punctuation(text):
    return "".join(ch for ch in str(text).lower().strip() if ch not in CMRC_PUNCTUATION)


def longest_common_run(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            if a[i] == b[j]:
                table[i + 1][j + 1] = table[i][j] + 1
                best = max(best, table[i + 1][j + 1])
    return best


def cmrc_f1(answers, prediction):
    scores = []
    for answer in answers:
        a, p = cmrc_segments(answer), cmrc_segments(prediction)
        common = longest_common_run(a, p)
        if common == 0:
            scores.append(0)
            continue
        precision, recall = common / len(p), common / len(a)
        scores.append(2 * precision * recall / (precision + recall))
    return max(scores)


def cmrc_em(answers, prediction):
    return int(any(cmrc_remove_punctuation(a) == cmrc_remove_punctuation(prediction) for a in answers))


CMRC = [  # (question id, answers, prediction or None)
    ("c01", ["一九九八年"], "一九九八年"),
    ("c02", ["北京大学"], "北京大学。"),
    ("c03", ["《红楼梦》", "红楼梦"], "红楼梦"),
    ("c04", ["上海市浦东新区"], "浦东新区"),
    ("c05", ["2008年8月8日"], "2008年8月"),
    ("c06", ["iPhone 6"], "iphone 6手机"),
    ("c07", ["三千五百万元"], "3500万元"),
    ("c08", ["长江"], "黄河"),
    ("c09", ["张三、李四"], "张三李四"),
    ("c10", ["NBA总决赛"], "NBA 总决赛"),
    ("c11", ["约翰·史密斯"], "约翰史密斯"),
    ("c12", ["3.5亿"], "3.5 亿"),
    ("c13", ["“一带一路”倡议"], "一带一路"),
    ("c14", ["第一次世界大战", "一战"], "第二次世界大战"),
    ("c15", ["1,000 美元"], "1000美元"),
    ("c16", ["他说：“我们会赢。”"], "我们会赢"),
    ("c17", ["GDP增长率"], "gdp 增长率"),
    ("c18", ["中华人民共和国"], None),
    ("c19", ["清华大学"], ""),
    ("c20", ["Mr. Smith's house"], "smith's house."),
    ("c21", ["十二点"], "十二点……"),
    ("c22", ["A-B-C公司"], "ABC公司"),
    ("c23", ["(北京)"], "北京"),
    ("c24", ["九龙"], "九龍"),
    ("c25", ["COVID-19疫情"], "covid19 疫情"),
    ("c26", ["杭州西湖"], "西湖，杭州"),
    ("c27", ["e=mc^2"], "E = mc2"),
    ("c28", ["十五"], "十五、"),
    ("c29", ["don't stop"], "do not stop"),
    ("c30", ["「天下」"], "天下"),
]

ENGLISH_WORDS = ["hello world", "iphone 6", "3.5", "1,000 dollars", "a, b", "end.", "u.s.", "wait...", "what?!",
                 "(x)", "smith's house.", "don't", "i'm here", "they'll go", "'quoted'", "\"a\" b", "x \"y\"",
                 "50% off", "a;b", "price $5", "e mc2", "tom & jerry", "x.y.z", "1998.", "mr. smith", "x.\"",
                 "nbsp\u00a0here", "ａｂｃ１２３", "〇", "a&b", "c'mon", "rock 'n' roll", "goin'", "<tag>", "α β γ",
                 "5,", "3,4", "a,", "“quote”", "— dash —", "a. b. c.",
                 'say "hi" now', '("x")', 'a\t"b"', '“"x"', "x''", "''x", "a ''b''"]


def cmrc_golden():
    exact = f1 = 0
    predictions, references, per_question = {}, [], []
    for qid, answers, prediction in CMRC:
        references.append({"id": qid, "answers": answers})
        if prediction is None:
            continue
        predictions[qid] = prediction
        em_q, f1_q = cmrc_em(answers, prediction), cmrc_f1(answers, prediction)
        exact += em_q
        f1 += f1_q
        per_question.append({"id": qid, "exact_match": float(em_q), "f1": f1_q,
                             "prediction_segments": cmrc_segments(prediction)})
    return {"references": references, "predictions": predictions, "per_question": per_question,
            "exact_match": 100.0 * exact / len(CMRC), "f1": 100.0 * f1 / len(CMRC), "total": len(CMRC),
            "english_words": [{"text": t, "tokens": WORDS.tokenize(t)} for t in ENGLISH_WORDS]}


def main():
    golden = {
        "versions": {"scikit-learn": sklearn.__version__, "scipy": scipy.__version__,
                     "seqeval": getattr(seqeval, "__version__", "1.2.2"), "nltk": nltk.__version__},
        "classification": classification_cases(),
        "correlation": correlation_cases(),
        "entities": entity_cases(),
        "squad_v1": squad_golden(),
        "cmrc2018": cmrc_golden(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=False, indent=1, default=lambda o: o.item())
        f.write("\n")
    print(f"wrote {OUT}: squad EM {golden['squad_v1']['exact_match']:.4f} F1 {golden['squad_v1']['f1']:.4f}; "
          f"cmrc EM {golden['cmrc2018']['exact_match']:.4f} F1 {golden['cmrc2018']['f1']:.4f}")


if __name__ == "__main__":
    main()
