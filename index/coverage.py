"""'Not covered' detection: contrast a question's best passage score with its best score against generic text.

With multilingual-e5 every question scores about 0.8 against everything, so a raw cosine threshold cannot tell
an off-topic question from a real one. What differs is *relative* similarity: a real question is closer to
some passage of the documents than to any everyday sentence, an off-topic one is the other way round. The
bank below is deliberately generic (everyday topics, four languages); it is not derived from any question set.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import numpy as np

from index.embeddings import Embedder

log = logging.getLogger(__name__)

# Everyday statements in the four languages users write in. Same topics across languages on purpose:
# an off-topic question should find its generic neighbour whatever language it is asked in.
GENERIC_BANK: tuple[str, ...] = (
    # weather
    "It will rain tomorrow afternoon, so take an umbrella.",
    "明天下午會下雨，出門記得帶傘。",
    "明天下午会下雨，出门记得带伞。",
    "내일 오후에 비가 오니 우산을 챙기세요.",
    # cooking
    "Fry the onions in butter until golden, then add the rice and stock.",
    "把洋蔥用奶油炒到金黃，再加入米和高湯。",
    "把洋葱用黄油炒到金黄，再加入米饭和高汤。",
    "양파를 버터에 노릇하게 볶은 뒤 쌀과 육수를 넣으세요.",
    # sports
    "The football team won the championship after a penalty shootout.",
    "這支足球隊在PK大戰後贏得冠軍。",
    "这支足球队在点球大战后赢得了冠军。",
    "그 축구팀은 승부차기 끝에 우승했다.",
    # travel
    "The cheapest flights to Europe are usually in late autumn.",
    "飛往歐洲最便宜的機票通常在晚秋。",
    "飞往欧洲最便宜的机票通常在深秋。",
    "유럽행 항공권은 보통 늦가을에 가장 싸다.",
    # health
    "Drink plenty of water and rest if you have a cold or a fever.",
    "感冒發燒時要多喝水、多休息。",
    "感冒发烧时要多喝水、多休息。",
    "감기나 열이 있을 때는 물을 많이 마시고 쉬어야 한다.",
    # programming and computers
    "Restart the router if the Wi-Fi connection keeps dropping.",
    "如果無線網路一直斷線，請重新啟動路由器。",
    "如果无线网络一直断线，请重启路由器。",
    "와이파이 연결이 자꾸 끊기면 공유기를 다시 시작하세요.",
    # shopping and prices
    "The shop offers a twenty percent discount on shoes this weekend.",
    "這家店本週末鞋子打八折。",
    "这家店本周末鞋子打八折。",
    "이 가게는 이번 주말에 신발을 20퍼센트 할인한다.",
    # music and entertainment
    "The band will release a new album and go on a world tour next year.",
    "這個樂團明年將發行新專輯並展開世界巡迴演唱會。",
    "这个乐队明年将发行新专辑并开始世界巡演。",
    "그 밴드는 내년에 새 앨범을 내고 월드 투어를 한다.",
    # education
    "Students must submit their homework before the exam on Friday.",
    "學生必須在星期五考試前交作業。",
    "学生必须在周五考试前交作业。",
    "학생들은 금요일 시험 전에 숙제를 제출해야 한다.",
    # pets
    "Dogs need a walk every day and regular visits to the vet.",
    "狗每天都需要散步，也要定期看獸醫。",
    "狗每天都需要散步，也要定期看兽医。",
    "개는 매일 산책하고 정기적으로 동물병원에 가야 한다.",
    # transport
    "The train to the airport leaves every fifteen minutes.",
    "往機場的火車每十五分鐘一班。",
    "去机场的火车每十五分钟一班。",
    "공항행 기차는 15분마다 출발한다.",
    # personal finance
    "Save part of your salary every month and pay off your credit card.",
    "每個月存下一部分薪水，並繳清信用卡帳單。",
    "每个月存下一部分工资，并还清信用卡。",
    "매달 월급의 일부를 저축하고 신용카드 대금을 갚으세요.",
    # housing
    "The apartment has two bedrooms, a small kitchen and a balcony.",
    "這間公寓有兩間臥室、一個小廚房和陽台。",
    "这套公寓有两间卧室、一个小厨房和阳台。",
    "그 아파트에는 침실 두 개와 작은 부엌, 발코니가 있다.",
    # work
    "Write a short cover letter when you apply for the job.",
    "應徵工作時要寫一封簡短的求職信。",
    "申请工作时要写一封简短的求职信。",
    "일자리에 지원할 때는 짧은 자기소개서를 써야 한다.",
    # science
    "Water boils at one hundred degrees Celsius at sea level.",
    "在海平面上，水在攝氏一百度沸騰。",
    "在海平面上，水在摄氏一百度沸腾。",
    "해수면에서 물은 섭씨 100도에서 끓는다.",
    # mathematics
    "The area of a circle is pi times the radius squared.",
    "圓的面積等於圓周率乘以半徑的平方。",
    "圆的面积等于圆周率乘以半径的平方。",
    "원의 넓이는 원주율에 반지름의 제곱을 곱한 것이다.",
    # fitness
    "Stretch before running and start with a slow pace.",
    "跑步前先伸展，並從慢速開始。",
    "跑步前先拉伸，并从慢速开始。",
    "달리기 전에 스트레칭을 하고 천천히 시작하세요.",
    # fashion
    "A dark jacket goes well with jeans and white sneakers.",
    "深色外套很適合搭配牛仔褲和白色球鞋。",
    "深色外套很适合搭配牛仔裤和白色运动鞋。",
    "어두운 재킷은 청바지와 흰 운동화에 잘 어울린다.",
    # games
    "In this video game you build a city and trade with other players.",
    "在這款電玩遊戲中，你要建造城市並與其他玩家交易。",
    "在这款电子游戏里，你要建造城市并和其他玩家交易。",
    "이 게임에서는 도시를 건설하고 다른 플레이어와 거래한다.",
    # paperwork
    "Bring your identity card to renew your driving licence.",
    "換發駕照時請攜帶身分證。",
    "换驾照时请带上身份证。",
    "운전면허증을 갱신하려면 신분증을 가져오세요.",
    # family and everyday life
    "My grandmother's birthday party is on Sunday evening.",
    "我奶奶的生日派對在星期天晚上。",
    "我奶奶的生日聚会在星期天晚上。",
    "우리 할머니 생신 잔치는 일요일 저녁이다.",
    # nature
    "The national park has hiking trails, waterfalls and rare birds.",
    "這座國家公園有登山步道、瀑布和稀有鳥類。",
    "这座国家公园有徒步小道、瀑布和珍稀鸟类。",
    "그 국립공원에는 등산로와 폭포, 희귀한 새들이 있다.",
    # world history (general affairs questions otherwise meet only the documents' politics)
    "The French Revolution began in 1789 and ended the monarchy.",
    "法國大革命始於1789年，推翻了君主制度。",
    "法国大革命始于1789年，推翻了君主制度。",
    "프랑스 혁명은 1789년에 시작되어 왕정을 무너뜨렸다.",
    # local government and elections
    "Voters will elect a new mayor and city council next month.",
    "選民下個月將選出新市長和市議會。",
    "选民下个月将选出新市长和市议会。",
    "유권자들은 다음 달 새 시장과 시의회를 선출한다.",
    # economy and markets
    "Share prices rose after the central bank cut interest rates.",
    "央行降息後，股價上漲。",
    "央行降息后，股价上涨。",
    "중앙은행이 금리를 내리자 주가가 올랐다.",
)


_CACHE: dict[tuple[str, str, str], np.ndarray] = {}
_CACHE_LOCK = threading.Lock()


def _read_rows(name: str) -> tuple[tuple[str, str], ...]:
    """(topic, text) of each row of a packaged `index/data/<name>` table (topic, lang, text), or () if it is absent."""
    try:
        data = resources.files("index") / "data" / name
        rows = data.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, OSError):
        return ()
    found = []
    for row in rows[1:]:
        parts = row.split("\t")
        if len(parts) == 3 and parts[2].strip():
            found.append((parts[0].strip(), parts[2].strip()))
    return tuple(found)


def _read_tsv(name: str) -> tuple[str, ...]:
    """The `text` column of a packaged `index/data/<name>` table (topic, lang, text), or () if it is absent."""
    return tuple(text for _, text in _read_rows(name))


@functools.lru_cache(maxsize=1)
def generic_bank() -> tuple[str, ...]:
    """Everyday statements in the four languages (index/data/generic_bank.tsv; the built-in bank if it is missing)."""
    return _read_tsv("generic_bank.tsv") or GENERIC_BANK


@functools.lru_cache(maxsize=1)
def generic_bank_topics() -> tuple[str, ...]:
    """The topic of each of `generic_bank()`'s statements (one statement per language and topic); () for the built-in
    bank, which records none."""
    rows = _read_rows("generic_bank.tsv")
    return tuple(topic for topic, _ in rows) if rows else ()


@functools.lru_cache(maxsize=1)
def generic_questions() -> tuple[str, ...]:
    """Everyday questions on other topics than the bank's, used to calibrate the coverage bar on each index."""
    return _read_tsv("generic_questions.tsv")


def bank_key(model: str, backend: str, sentences: tuple[str, ...]) -> str:
    """A stable content key for one embedding of the bank: model, backend and the exact sentences."""
    text = "\x1f".join((model, backend, *sentences))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def write_cache(path: Path, write: Callable[[BinaryIO], object], what: str) -> bool:
    """Write a cache file atomically (a temporary file, then renamed); False, logged, when the disk refuses: read-only
    or full, the cached thing still works, it is just computed again next time."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not cache the %s at %s (%s)", what, path, exc)
        tmp.unlink(missing_ok=True)
        return False
    return True


class CoverageBank:
    """A fixed list of texts embedded once per model, backend and text: the generic bank (by default), the everyday
    questions, the word bridge's document and probe words (index/word_bridge.py).

    Kept in memory per process and, when `cache_dir` is given (the index directory's `cache/`), on disk as
    `bank-<key>.npy`, so a new process (e.g. each `verbatim ask`) loads the vectors instead of embedding
    the texts again. A missing, unreadable or mis-shaped file is simply recomputed.
    """

    def __init__(
        self, embedder: Embedder, sentences: tuple[str, ...] | None = None, cache_dir: Path | None = None, *, as_queries: bool = False
    ) -> None:
        self.embedder = embedder
        self.sentences = generic_bank() if sentences is None else sentences
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.as_queries = as_queries  # questions are embedded as queries ("query: " for e5), statements as passages

    @property
    def key(self) -> str:
        return bank_key(self.embedder.model, self.embedder.backend + ("/queries" if self.as_queries else ""), self.sentences)

    @property
    def vectors(self) -> np.ndarray:
        key = (self.embedder.model, self.embedder.backend, self.key)
        with _CACHE_LOCK:
            if key not in _CACHE:
                vectors = self._read()
                if vectors is None:
                    embed = self.embedder.embed_queries if self.as_queries else self.embedder.embed_passages
                    vectors = embed(list(self.sentences)) if self.sentences else np.zeros((0, 0), dtype=np.float32)
                    self._write(vectors)
                _CACHE[key] = vectors
            return _CACHE[key]

    def _path(self) -> Path | None:
        return self.cache_dir / f"bank-{self.key}.npy" if self.cache_dir is not None else None

    def _read(self) -> np.ndarray | None:
        path = self._path()
        if path is None or not path.is_file():
            return None
        try:
            vectors = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            log.warning("coverage bank cache %s unreadable (%s); embedding the bank again", path, exc)
            return None
        dimension = getattr(self.embedder, "dimension", None)
        if vectors.ndim != 2 or len(vectors) != len(self.sentences) or (dimension and len(vectors) and vectors.shape[1] != dimension):
            log.warning("coverage bank cache %s has shape %s; embedding the bank again", path, vectors.shape)
            return None
        return vectors.astype(np.float32, copy=False)

    def _write(self, vectors: np.ndarray) -> None:
        path = self._path()
        if path is not None:
            write_cache(path, lambda handle: np.save(handle, np.asarray(vectors, dtype=np.float32)), "coverage bank")

    def best(self, query_vector: np.ndarray, top: int = 1) -> float:
        """The best cosine between the question and any generic sentence (the mean of the `top` best)."""
        vectors = self.vectors
        return top_mean(vectors @ query_vector if len(vectors) else np.zeros(0, dtype=np.float32), top)


def top_mean(scores: np.ndarray, top: int = 1) -> float:
    """The mean of the `top` best scores (the best one for `top` 1; 0 when there are none)."""
    if len(scores) == 0:
        return 0.0
    if top <= 1:
        return float(np.max(scores))
    top = min(top, len(scores))
    return float(np.mean(np.partition(scores, len(scores) - top)[-top:]))
