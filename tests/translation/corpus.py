"""Hand-made translations of the article's sentences that the fake provider returns as a "good" model would."""

from __future__ import annotations

import re

# Sentence of the article (as stored, spaces included) -> its translation, per target language.
SENTENCES: dict[str, dict[str, str]] = {
    "以 2018年 2月平昌冬奧為契機，南北韓之間重啟對話與交流為出發點，南韓仲裁美朝對話促使美朝雙方對北韓無核化態度的改變。": {
        "en": "With the PyeongChang Winter Olympics of February 2018 as the occasion and the resumption of dialogue and exchanges "
        "between North and South Korea as the starting point, South Korea's mediation of US–North Korea dialogue led both "
        "sides to change their attitudes towards North Korea's denuclearization.",
        "ko": "2018년 2월 평창 동계올림픽을 계기로 남북한이 대화와 교류를 재개한 것을 출발점으로, 한국의 북미 대화 중재는 북한 비핵화에 대한 북미 양측의 태도 변화를 이끌었다.",
    },
    "金正恩政權改變以往對核武堅決態度，表明北韓無核化的意願。": {
        "en": "The Kim Jong-un regime abandoned its former unyielding stance on nuclear weapons and declared North Korea's willingness to denuclearize.",
        "ko": "김정은 정권은 핵무기에 대한 종래의 강경한 태도를 바꾸어 북한의 비핵화 의사를 밝혔다.",
    },
    "美國川普總統則表達欲與北韓進行無核化對話。": {
        "en": "US President Trump, for his part, said he wished to hold denuclearization talks with North Korea.",
        "ko": "미국의 트럼프 대통령은 북한과 비핵화 대화를 하고 싶다는 뜻을 밝혔다.",
    },
    "美朝因而重啟彼此之間的對話，朝鮮半島局勢從劍拔弩張轉向對話局面。": {
        "en": "The US and North Korea thus resumed their dialogue, and the situation on the Korean Peninsula turned from a tense standoff to dialogue.",
        "ko": "이에 따라 북미는 서로 대화를 재개했고, 한반도 정세는 일촉즉발의 긴장에서 대화 국면으로 바뀌었다.",
    },
    "美朝願意無核化對話的主要原因在於，北韓推動核武發展戰略，其核武能力與飛彈射程發展到達威脅美國安全利益的水準，但核武發展卻引發美國的強力反制措施，因此北韓為了確保政權安全而推動生存戰略，卻讓自身遭遇生存威脅。": {
        "en": "The main reason the US and North Korea became willing to talk about denuclearization is that North Korea pursued a "
        "strategy of nuclear development whose nuclear capability and missile range reached a level that threatened the security "
        "interests of the United States, but that development provoked strong countermeasures from the United States; North Korea "
        "thus pursued a survival strategy to secure its regime, only to find its own survival threatened.",
        "ko": "북미가 비핵화 대화에 나선 주된 이유는, 북한이 핵 개발 전략을 추진해 핵 능력과 미사일 사거리가 미국의 안보 이익을 위협하는 수준에 이르렀지만, "
        "핵 개발은 미국의 강력한 대응 조치를 불러왔고, 그 결과 북한은 정권 안보를 위해 생존 전략을 추진했으나 오히려 스스로 생존의 위협에 처했기 때문이다.",
    },
    "對美國而言，因為北韓核武發展威脅美國，無論外交手段或軍事行動，都必須要處理北韓核武問題。": {
        "en": "For the United States, because North Korea's nuclear development threatens America, the North Korean nuclear issue has "
        "to be dealt with, whether by diplomatic means or by military action.",
        "ko": "미국으로서는 북한의 핵 개발이 미국을 위협하기 때문에 외교적 수단이든 군사 행동이든 북한 핵 문제를 반드시 해결해야 한다.",
    },
    "因此雙方舉行高層會談，協議北韓無核化的進程，讓外界期待雙方能夠達成無核化與改善關係。": {
        "en": "The two sides therefore held high-level talks and agreed on a process for North Korea's denuclearization, raising hopes "
        "that they could achieve denuclearization and better relations.",
        "ko": "이에 따라 양측은 고위급 회담을 열어 북한 비핵화 과정을 협의했고, 외부에서는 양측이 비핵화와 관계 개선을 이룰 수 있으리라 기대하게 되었다.",
    },
    "然而，由於雙方互不信任，在無核化問題上出現分歧，造成後續美朝無核化談判停滯不前，尚未達成協議。": {
        "en": "However, mutual distrust led to disagreements over denuclearization, so the later US–North Korea denuclearization "
        "negotiations stalled and no agreement has yet been reached.",
        "ko": "그러나 양측의 상호 불신으로 비핵화 문제에서 이견이 생겨 이후 북미 비핵화 협상은 답보 상태에 빠졌고 아직 합의에 이르지 못했다.",
    },
    "但美朝藉由南韓的仲裁，金正恩於2018年 9月 4日與南韓特使團會晤時表明願意在川普總統的第一個任期內完成無核化，且於 9月 18日至 20日舉行的第三次「文金會」時發表平壤聲明，雙方重申朝鮮半島無核化目標，同意北韓棄核進入實施階段。": {
        "en": "But through South Korea's mediation between the US and North Korea, Kim Jong-un, meeting South Korea's special envoys on "
        "September 4, 2018, said he was willing to complete denuclearization within President Trump's first term, and at the third "
        "Moon–Kim summit, held from September 18 to 20, the Pyongyang Declaration was issued: the two sides reaffirmed the goal of "
        "denuclearizing the Korean Peninsula and agreed that North Korea's abandonment of nuclear weapons would enter its implementation stage.",
        "ko": "그러나 한국의 중재를 통해, 김정은은 2018년 9월 4일 한국 특사단을 만난 자리에서 트럼프 대통령의 첫 임기 안에 비핵화를 완료할 의사를 밝혔고, "
        "9월 18일부터 20일까지 열린 제3차 「문김 회담」에서 평양 공동선언을 발표해 양측은 한반도 비핵화 목표를 재확인하고 북한의 핵 포기가 실행 단계에 들어가는 데 동의했다.",
    },
    "美國政府肯定平壤聲明，且表明預定於 2019年初舉行第二次「川金會」。": {
        "en": "The US government welcomed the Pyongyang Declaration and said that a second Trump–Kim summit was planned for early 2019.",
        "ko": "미국 정부는 평양 공동선언을 긍정적으로 평가하고, 2019년 초 제2차 「트럼프-김정은 회담」을 열 예정이라고 밝혔다.",
    },
    "南北韓透過平壤宣言，同意北韓棄核流程以及停止軍事對峙關係，藉此解除雙方敵對關係，進而追求在第二次「川金會」上美朝達成無核化協議與終戰宣言。": {
        "en": "Through the Pyongyang Declaration, North and South Korea agreed on a process for North Korea to give up its nuclear weapons "
        "and on ending their military confrontation, so as to end their hostility and then seek a US–North Korea agreement on "
        "denuclearization and a declaration ending the war at the second Trump–Kim summit.",
        "ko": "남북한은 평양 공동선언을 통해 북한의 핵 포기 절차와 군사적 대치 관계 중단에 합의함으로써 양측의 적대 관계를 해소하고, "
        "나아가 제2차 「트럼프-김정은 회담」에서 북미가 비핵화 합의와 종전 선언에 이르기를 추구했다.",
    },
    "本文將分析美韓朝對無核化談判的立場與作為，並討論未來朝鮮半島無核化以及終戰宣言到來的可能性。": {
        "en": "This article analyses the positions and actions of the US and the two Koreas in the denuclearization talks and discusses "
        "the prospects for the denuclearization of the Korean Peninsula and a declaration ending the war.",
        "ko": "이 글은 비핵화 협상에 대한 한·미·북의 입장과 행보를 분석하고, 앞으로 한반도 비핵화와 종전 선언이 실현될 가능성을 논의한다.",
    },
}

_SENTENCE = re.compile(r"[^。！？]+[。！？]?")


def translate_sentences(text: str, target: str) -> str | None:
    """The translation of a text made of whole sentences of the table, or None if one is unknown."""
    out = []
    for sentence in _SENTENCE.findall(text.strip()):
        known = SENTENCES.get(sentence.strip(), {}).get(target)
        if known is None:
            return None
        out.append(known)
    return (" " if target == "en" else " ").join(out)
