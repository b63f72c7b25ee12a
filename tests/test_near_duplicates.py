"""The near-duplicate engine (wiredup.group.fingerprint): real datasketch, no mocks.

The seed article bodies below are the article paragraphs of ../shared/seeds/*.txt
with the page clutter cut by hand (see the seeds README): 000 and 001 are a short
and a long version of one AFP story, 002 and 003 tell the same event in their
own words, 004 is another event.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from wiredup.group.candidate_index import CandidateIndex
from wiredup.group.compare import Match, compare, shared_passages
from wiredup.group.fingerprint import Fingerprint, fingerprint, fingerprints, normalise
from wiredup.group.window import group
from wiredup.settings import GroupingSettings

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
BENCHMARK = SHARED / "benchmarks" / "syndication-dev.jsonl"
SETTINGS = GroupingSettings()
EXPECTED_SEEDS = {frozenset({"000", "001"}), frozenset({"002"}), frozenset({"003"}), frozenset({"004"})}

SEED_BODIES = {
    "000": "\n\n".join([
        "Azerbaijan slams French 'pressure' and 'threats' after Paris recalls envoy",
        'BAKU',
        'Azerbaijan slams French pressure and threats after Paris recalls envoy',
        (
            'Azerbaijan on Wednesday accused France of pressuring and threatening the country after Paris '
            'recalled its ambassador and accused the Caucasus country of damaging bilateral ties.'
        ),
        (
            "Azerbaijan has slammed France on multiple occasions over what it sees as the country's support "
            'for rival Armenia in a long-running stand-off between the neighbors.'
        ),
        (
            '"The Azerbaijani side has repeatedly stated to France that speaking in a language of threat and '
            'pressure will not bring any results, and once again declares that it will take all necessary '
            'measures to protect its national interests," Azerbaijan\'s Foreign Ministry spokesperson Aykhan '
            'Hajizada said in a statement.'
        ),
        (
            'French President Emmanuel Macron recalled ambassador Anne Boillon to Paris to discuss ties with '
            'Azerbaijan, the Foreign Ministry in Paris said on April 16.'
        ),
        (
            'Azerbaijani government has rejected France playing a role in mediating talks with Armenia over '
            'an elusive peace deal between the two ex-Soviet countries.'
        ),
        'It has also criticized arms deals between France and Armenia.',
        (
            'Hajizada said that France had taken "open and explicit anti-Azerbaijan actions" and launched a '
            '"smear campaign" that had thwarted "the efforts to normalize relations between Azerbaijan and '
            'Armenia."'
        ),
        (
            'Meanwhile, The Kremlin announced Wednesday that Russian peacekeepers have begun withdrawing '
            "from Nagorno-Karabakh following Azerbaijan's recapture of the territory from Armenian "
            'separatists last year.'
        ),
        (
            'Azerbaijani state media reported this week that Russian troops had begun leaving positions held '
            'as part of a Moscow-brokered 2020 ceasefire between Baku and Yerevan.'
        ),
        (
            'They posted videos and photos showing armored vehicles with Russian flags purportedly driving '
            'out of the territory.'
        ),
        (
            'Asked about the reports that Russian peacekeepers had started a withdrawal, Kremlin spokesman '
            'Dmitry Peskov said: "Yes, that\'s true."'
        ),
        'He did not provide further details.',
    ]),
    "001": "\n\n".join([
        'France, Russia stand on opposite sides of Armenia-Azerbaijan conflict',
        (
            'Azerbaijan has accused France of threatening the country after Paris recalled its ambassador '
            'and accused Baku of damaging relations. Meanwhile Russian peacekeepers have begun withdrawing '
            'from the Nagorno-Karabakh enclave, which Azerbaijan recaptured from Armenian separatists last '
            'year.'
        ),
        (
            'Azerbaijan on Wednesday accused France of pressuring and threatening the country after Paris '
            'recalled its ambassador, Anne Boillon, and accused Baku of damaging bilateral ties.'
        ),
        (
            "Azerbaijan has slammed France on multiple occasions over what it sees as the country's support "
            'for rival Armenia in a long-running stand-off between the neighbours.'
        ),
        (
            '"France\'s actions over the past three and a half years have seriously put under question the '
            'efforts to normalise relations between Azerbaijan and Armenia based on sovereignty and '
            'territorial integrity, and contributed to the escalation of the situation," according to a\xa0'
            'statement\xa0by the Azeri foreign ministry.'
        ),
        (
            '"It is clear as day that the actions of France, which is extensively arming Armenia and '
            'promoting militarism in the region, do not serve peace."'
        ),
        'Rising tensions',
        (
            'French President Emmanuel Macron had recalled Boillon to Paris to discuss ties with Azerbaijan, '
            "France's foreign ministry said."
        ),
        (
            '"France has decided to recall its ambassador to Azerbaijan for consultations due to unilateral '
            'actions taken by Azerbaijan in recent months, which are damaging to our two countries," '
            'according to a statement\xa0shared on social media.'
        ),
        (
            "Tensions between Baku and Paris rose as a result of Azerbaijan's actions in Nagorno-Karabakh\xa0"
            'and France\'s support for Armenia. Baku accused France of seeking to "fuel tensions in the South '
            'Caucasus".'
        ),
        (
            'A French national, Martin Ryan, was arrested on 4 December last year on suspicion of '
            '"espionage", according to Azerbaijan authorities.'
        ),
        'Paris has criticised his detention as "arbitrary", a claim that Baku called "null and void".',
        'Russian withdrawal',
        (
            'France – home to a large Armenian diaspora\xa0–\xa0in February agreed to sell arms to Armenia and '
            'train Armenian officers as it continues to boost military ties with the country.'
        ),
        "It comes as Yerevan seeks to reduce its dependence on Moscow, traditionally Armenia's ally.",
        (
            "Russia has peacekeeping troops in the region, but they did nothing to prevent Azerbaijan's army "
            'retaking Nagorno-Karabakh last September.'
        ),
        'On Wednesday, peacekeepers began withdrawing from the enclave.',
        (
            'Azerbaijani state media reported that Russian troops had begun leaving positions held as part '
            'of a Moscow-brokered 2020 ceasefire between Baku and Yerevan.'
        ),
        (
            'They posted videos and photos showing armoured vehicles with Russian flags purportedly driving '
            'out of the territory.'
        ),
        'Asked about the reports, Kremlin spokesman Dmitry Peskov said they were true.',
        (
            'Russia had deployed a 2,000-strong peacekeeping force as part of a deal to end a six-week '
            'offensive in 2020 that saw Azerbaijani forces seize swathes of Nagorno-Karabakh and the '
            'surrounding areas.'
        ),
        (
            'Armenian Prime Minister Nikol Pashinyan said recently that Yerevan has de facto suspended its '
            'participation in the Moscow-led Collective Security Treaty Organisation, a defence alliance '
            'that also includes Belarus, Kazakhstan,\xa0Kyrgyzstan and Tajikistan.'
        ),
        (
            'He has repeatedly criticised Russia for not stepping in to support his country in the face of '
            'what he says is Azerbaijani aggression.'
        ),
        (
            "And, against Moscow's wishes, Yerevan has joined the International Criminal Court, a move which "
            'obligates it to arrest Russian President Vladimir Putin should he visit Armenia after the court '
            'issued a warrant against the Russian leader.'
        ),
        (
            'Arch-foes Armenia and Azerbaijan are currently trying to broker a broader peace agreement that '
            'could see Baku gain control of yet more disputed territory.'
        ),
        (
            'Clashes and shootouts between troops stationed along the mountainous border are relatively '
            'common.'
        ),
    ]),
    "002": "\n\n".join([
        'France Recalls Ambassador to Azerbaijan, Accusing Baku of Actions Detrimental to Bilateral Ties',
        'France Recalls Ambassador to Azerbaijan, Accusing Baku of Actions Detrimental to Bilateral Ties',
        (
            'BREAKING NEWS: France has made the decision to recall its ambassador to Azerbaijan, accusing '
            'Baku of actions detrimental to their bilateral ties.'
        ),
        (
            'President Emmanuel Macron held discussions with Ambassador Anne Boillon in Paris regarding the '
            'matter, according to a statement released by the foreign ministry. The statement pointedly '
            'criticized Azerbaijan for its recent "unilateral actions damaging to the relationship between '
            'our two countries."'
        ),
        (
            'The relationship between Azerbaijan and France has long been strained, primarily due to '
            'historical tensions centered around Artsakh, also known as Nagorno-Karabakh. Nagorno-Karabakh, '
            'which has been a source of conflict between Azerbaijan and Armenia, witnessed a resurgence of '
            'hostilities in 2020, resulting in Azerbaijani forces occupying the ethnic Armenia region. The '
            "conflict escalated further with Azerbaijan's lightning offensive in September 2023, ultimately "
            'leading to the complete occupation of Artsakh.'
        ),
        (
            'French officials, including President Macron, have consistently expressed apprehensions '
            "regarding Azerbaijani President Ilham Aliyev's territorial ambitions, particularly concerning "
            'Armenian territories.'
        ),
        (
            'During the meeting with Ambassador Boillon, President Macron conveyed his disappointment over '
            "Azerbaijan's actions and emphasized the need for clarification from the Azerbaijani government "
            'regarding its intentions, as stated by the foreign ministry.'
        ),
        (
            'Efforts to facilitate dialogue between Azerbaijan and Armenia to normalize their relations have '
            'faced significant hurdles, with minimal progress achieved thus far. Despite the challenges, '
            'France reaffirmed its support for the normalization of relations between the two countries, '
            'emphasizing the importance of adherence to international law and respect for territorial '
            'integrity.'
        ),
        (
            'In light of deteriorating relations with Moscow, Armenia has increasingly turned to France for '
            'defense cooperation. Recent agreements between Armenia and France include a deal for the '
            'purchase of precision rifles from a French arms manufacturer, PGM, though specific details '
            "regarding the transaction remain undisclosed. Furthermore, France's announcement of the sale of "
            'defense equipment, including radar systems and night vision goggles, to Armenia in October 2023 '
            'further strained relations with Azerbaijan, eliciting strong objections from Baku.'
        ),
        (
            'The recall of the French ambassador shows the seriousness of the situation and highlights the '
            'deep-rooted complexities surrounding the Nagorno-Karabakh conflict.'
        ),
    ]),
    "003": "\n\n".join([
        (
            'The Azerbaijani Foreign Ministry has rejected accusations of official Paris about unilateral '
            'actions of Baku damaging bilateral relations, due to which the French Ambassador was recalled.'
        ),
        (
            'Azerbaijani Foreign Ministry official spokesman Aykhan Hajizadeh stated that France has been '
            "mediating the Armenian-Azerbaijani conflict for about 25 years with Baku's consent, but after "
            'the 2020 war, Paris took openly anti-Azerbaijani steps.'
        ),
        (
            "Given this, the Azerbaijan's steps and statements were a logical response to France's "
            'destructive activities.'
        ),
        (
            "Recall that France's steps in the last 3.5 years seriously undermine the efforts to normalize "
            'relations between Azerbaijan and Armenia based on the principles of sovereignty and territorial '
            'integrity, and contribute to the escalation.'
        ),
        (
            'France has repeatedly initiated documents against Azerbaijan in the UN Security Council and the '
            'European Union, the Francophonie organizations and other international structures. All this '
            'confirms the groundlessness of claims that this country is an impartial mediator, the '
            'Azerbaijani Foreign Ministry said. It was at the initiative of representatives of the ruling '
            'party of France that numerous decisions and resolutions were adopted in the parliament of this '
            'country, containing unfounded accusations, insults and threats against Azerbaijan, questioning '
            'the territorial integrity of Azerbaijan, recognizing the former separatist regime in Karabakh.'
        ),
        (
            'After the 2020 war, as a result of the Azerbaijanophobic environment fuelled in France, attacks '
            'on the Azerbaijani Embassy were repeatedly initiated, the building of the diplomatic mission '
            'was damaged and the monument to Azerbaijani poetess Khurshid Banu Natavan was vandalized. The '
            "French government's failure to prevent these steps is an integral part of France's "
            'anti-Azerbaijani campaign.'
        ),
        (
            "Hajizadeh's commentary also points to France's unjustified attacks on Azerbaijan due to its "
            'chairmanship of the upcoming COP29 climate conference.'
        ),
        (
            "At the same time, France's large-scale arming of Armenia and Paris' encouragement of its "
            'militarization do not contribute to peace in the region.'
        ),
        (
            "Added to this can be that Azerbaijan has repeatedly stated that France's attempts to talk to "
            'Baku in the language of threats and pressure will have no results and Baku will take all '
            'necessary measures to protect its national interests, Hajizadeh summarized.'
        ),
    ]),
    "004": "\n\n".join([
        (
            'Emmanuel Macron asks Azerbaijan for “an immediate cessation of the offensive” in '
            'Nagorno-Karabakh'
        ),
        (
            '“The offensive must stop immediately and discussions for the rights and safety of residents '
            'must be resumed,” wrote the President of the Republic on Tuesday afternoon.'
        ),
        (
            'The situation is critical in the Nagorno-Karabakh enclave, an Armenian-majority territory '
            'claimed by Azerbaijan. Baku launched a military offensive on Tuesday, three years after the '
            'previous war, demanding the surrender of its Armenian adversary. An operation denounced by the '
            'president of the French Republic.'
        ),
        (
            '“Strong condemnation of Azerbaijan’s use of force in Nagorno-Karabakh,” writes Emmanuel Macron '
            'on X, ex-Twitter.'
        ),
        (
            '“The offensive must stop immediately and discussions on the rights and security of residents '
            'must be resumed. I remain in close contact with Prime Minister Pashinian,” said the Elysée '
            'tenant this Tuesday afternoon.'
        ),
        (
            'During a call with Armenian Prime Minister Nikol Pashinian, Emmanuel Macron also urged “an '
            'immediate resumption of discussions to find a solution to the humanitarian crisis in '
            'Nagorno-Karabakh, to achieve a just and lasting peace between Armenia and Azerbaijan and to '
            'ensure rights and security”. of the inhabitants of Nagorno-Karabakh, in compliance with the '
            'commitments made and international law,” stated the French presidency.'
        ),
        (
            'A few hours earlier, in a statement, the Quai d’Orsay had “condemned with the utmost firmness '
            'the launch by Azerbaijan of a military operation in Nagorno-Karabakh”, denouncing the use of '
            'heavy weapons, “there even against inhabited areas” .'
        ),
        'At least 27 dead',
        (
            '“France calls on Azerbaijan to immediately cease its offensive and once again respect '
            'international law. It will hold Azerbaijan solely responsible for the fate of the civilian '
            'populations of Nagorno-Karabakh,” it read.'
        ),
        (
            'Faced with Paris’ condemnation of an “illegal, unjustifiable and unacceptable” operation, Baku '
            'denounced France’s “Islamophobic and anti-Azerbaijani policy.”'
        ),
        (
            'The fighting left at least 27 dead, including two civilians, and more than 200 injured in this '
            'region where some 7,000 inhabitants of 16 towns were evacuated, according to the separatists. '
            'For its part, Azerbaijan reported that two civilians had died in areas under its control.'
        ),
    ]),
}

# A page's "latest news" list: headlines, each shorter than a passage.
HEADLINES = "\n".join([
    "LATEST NEWS",
    "1. Floods swamp the desert city after a year of rain falls in one day",
    "2. Beef consumption drops to a record low as prices climb",
    "3. Retail sales rise for the third month running",
    "4. Police detain twenty suspects in dawn raids",
    "5. Parliament advances the bill to phase out smoking",
    "Recommended",
    "Floods swamp the desert city after a year of rain falls in one day",
    "Beef consumption drops to a record low as prices climb",
])


@pytest.fixture(scope="module")
def seed_fps() -> dict[str, Fingerprint]:
    return dict(zip(SEED_BODIES, fingerprints(list(SEED_BODIES.values()), SETTINGS)))


def as_partition(groups) -> set[frozenset]:
    return {frozenset(members) for members in groups}


def incremental_partition(order, fps, settings=SETTINGS) -> set[frozenset]:
    """What the crawler does: each arriving article is compared with the
    candidates among those already indexed, then indexed itself."""
    index = CandidateIndex(settings)
    parent = {}

    def root(key):
        while parent[key] != key:
            key = parent[key]
        return key

    for key in order:
        parent[key] = key
        for other in index.candidates(fps[key]):
            if compare(fps[key], fps[other], settings).same_story:
                parent[root(key)] = root(other)
        index.add(key, fps[key])
    groups: dict = {}
    for key in parent:
        groups.setdefault(root(key), set()).add(key)
    return as_partition(groups.values())


# ---------------------------------------------------------------- seeds

def test_seed_partition_for_all_120_arrival_orders(seed_fps):
    outcomes = {order: incremental_partition(order, seed_fps) for order in itertools.permutations(seed_fps)}
    wrong = {order: groups for order, groups in outcomes.items() if groups != EXPECTED_SEEDS}
    assert not wrong, f"{len(wrong)} of 120 orders grouped wrongly, e.g. {next(iter(wrong.items()))}"


def test_group_gives_the_seed_partition_whatever_the_mapping_order(seed_fps):
    for order in itertools.permutations(seed_fps):
        assert as_partition(group({key: seed_fps[key] for key in order}, SETTINGS)) == EXPECTED_SEEDS


def test_abridged_seed_copies_are_grouped_by_their_surviving_paragraphs(seed_fps):
    match = compare(seed_fps["000"], seed_fps["001"], SETTINGS)
    # far below any containment or Jaccard threshold: only passages tie them
    assert match.jaccard < 0.15 and match.containment < 0.35
    assert match.method == "passages" and match.shared_passages >= SETTINGS.min_shared_passages + 1
    passages = shared_passages(SEED_BODIES["000"], SEED_BODIES["001"])
    assert len(passages) == 4
    assert passages[0].startswith("Azerbaijan on Wednesday accused France of pressuring")
    assert all(passage in SEED_BODIES["000"] for passage in passages)


def test_seed_pages_that_tell_the_event_in_their_own_words_match_nothing(seed_fps):
    for a, b in itertools.combinations(seed_fps, 2):
        if {a, b} != {"000", "001"}:
            match = compare(seed_fps[a], seed_fps[b], SETTINGS)
            assert not match.same_story, (a, b, match)
            assert match.containment < 0.1 and match.shared_passages == 0, (a, b, match)


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason=f"seed pages not found at {SHARED / 'seeds'}")
def test_whole_seed_pages_with_their_clutter_give_the_same_partition():
    pages = {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted((SHARED / "seeds").glob("0*.txt"))}
    assert set(pages) == {"000", "001", "002", "003", "004"}
    fps = dict(zip(pages, fingerprints(list(pages.values()), SETTINGS)))
    for order in itertools.permutations(fps):
        assert incremental_partition(order, fps) == EXPECTED_SEEDS, order


def test_a_shared_headline_list_does_not_make_two_stories_one(seed_fps):
    a, b = fingerprints([SEED_BODIES["002"] + "\n" + HEADLINES, SEED_BODIES["003"] + "\n" + HEADLINES], SETTINGS)
    match = compare(a, b, SETTINGS)
    assert match.containment > 0.1  # they do share text...
    assert not match.same_story, match  # ...but no passage of it


def test_a_headline_found_in_another_page_is_not_a_copy_of_it():
    page = fingerprint(SEED_BODIES["002"] + "\n" + HEADLINES, SETTINGS)
    headline = fingerprint("Beef consumption drops to a record low as prices climb", SETTINGS)
    match = compare(headline, page, SETTINGS)
    assert match.containment == 1.0 and not match.same_story


def test_two_stories_quoting_the_same_statement_stay_apart():
    statement = "\n\n".join([
        "The ministry said in a statement that it would take all necessary measures to protect the "
        "national interests of the country and its citizens abroad.",
        "It added that speaking in the language of threats and pressure would not bring any results "
        "and called on its partners to respect international law.",
    ])
    long_story = SEED_BODIES["002"] + "\n\n" + SEED_BODIES["004"]
    a, b = fingerprints([long_story + "\n\n" + statement, SEED_BODIES["001"] + "\n\n" + statement], SETTINGS)
    match = compare(a, b, SETTINGS)
    assert match.shared_passages >= SETTINGS.min_shared_passages  # both paragraphs are found...
    assert not match.same_story, match  # ...but they are a sliver of either story


def test_cut_and_respelled_copies_match_by_containment():
    story = SEED_BODIES["001"]
    cut = "\n\n".join(story.split("\n\n")[:12])
    respelled = story.replace("neighbours", "neighbors").replace("armoured", "armored").replace("’", "'")
    original, *copies = fingerprints([story, cut, respelled.upper()], SETTINGS)
    for copy in copies:
        assert compare(original, copy, SETTINGS).method == "containment"


# ---------------------------------------------------------------- benchmark sample

@pytest.fixture(scope="module")
def sample() -> dict[str, Fingerprint]:
    if not BENCHMARK.is_file():
        pytest.skip(f"benchmark not found at {BENCHMARK} (../shared is not checked out next to the repo)")
    docs = [json.loads(line) for line in BENCHMARK.read_text(encoding="utf-8").splitlines() if line.strip()]
    clusters = sorted({doc["cluster"] for doc in docs})
    chosen = set(clusters[::4])  # every 4th story, all of its versions: about 230 docs
    docs = [doc for doc in docs if doc["cluster"] in chosen][:150]
    return dict(zip((doc["id"] for doc in docs), fingerprints([doc["text"] for doc in docs], SETTINGS)))


def test_benchmark_sample_partition_does_not_depend_on_arrival_order(sample):
    reference = as_partition(group(sample, SETTINGS))
    assert sum(len(members) > 1 for members in reference) >= 10  # real groups, not only singletons
    for seed in range(4):
        order = list(sample)
        random.Random(seed).shuffle(order)
        assert incremental_partition(order, sample) == reference, f"shuffle seed {seed}"
        assert as_partition(group({key: sample[key] for key in order}, SETTINGS)) == reference


def test_compare_is_symmetric(sample, seed_fps):
    fps = {**seed_fps, **dict(itertools.islice(sample.items(), 60))}
    index = CandidateIndex(SETTINGS)
    index.add_many(fps.items())
    pairs = {(a, b) for a in fps for b in index.candidates(fps[a]) if a != b}
    assert any(compare(fps[a], fps[b], SETTINGS).same_story for a, b in pairs)
    for a, b in pairs:
        assert compare(fps[a], fps[b], SETTINGS) == compare(fps[b], fps[a], SETTINGS), (a, b)


# ---------------------------------------------------------------- normalisation

@pytest.mark.parametrize(
    "variants",
    [
        ("İstanbul", "ISTANBUL", "istanbul", "ıstanbul"),  # Turkish dotted and dotless i
        ("IĞDIR ırmağı", "Iğdır Irmağı", "igdir irmagi"),
        ("МОСКВА Ёлка", "Москва ёлка", "москва елка"),  # Cyrillic, ё written е
        ("ՀԱՅԱՍՏԱՆ ԵՎ", "Հայաստան և", "հայաստան եւ"),  # Armenian, the ligature և
        ("ΟΔΟΣ ΑΘΗΝΑΣ", "οδός Αθήνας", "οδοσ αθηνασ"),  # Greek final sigma and tonos
        ("“Hello,” she said — ‘it’s fine’…", '"Hello," she said - \'it\'s fine\'...', "hello she said it s fine"),
        ("«Bonjour» ¿qué? 「東京」、。", "Bonjour qué 東京", "bonjour que 東 京"),
        ("co\u00adoperation\u00a0ＦＵＬＬ１２３", "cooperation full123"),  # soft hyphen, nbsp, fullwidth
    ],
)
def test_normalise_folds_spelling_variants_together(variants):
    assert len({normalise(text) for text in variants}) == 1, [normalise(text) for text in variants]


def test_normalise_keeps_words_whole_in_scripts_with_vowel_signs():
    assert normalise("हिन्दी, भाषा!") == "हिन्दी भाषा"  # \w+ would cut these words at every vowel sign
    assert normalise("Ἀθῆναι") == normalise("ΑΘΗΝΑΙ")


def test_normalised_copies_share_every_shingle():
    plain = "Azerbaijan's foreign ministry said the ambassador was recalled to Paris on Tuesday."
    styled = "AZERBAIJAN’S FOREIGN MINISTRY SAID THE AMBASSADOR WAS RECALLED — TO PARIS — ON TUESDAY!"
    a, b = fingerprints([plain, styled], SETTINGS)
    assert len(a.shingles) and (a.shingles == b.shingles).all() and a.minhash == b.minhash


# ---------------------------------------------------------------- storage

def test_columns_round_trip_gives_identical_comparisons(seed_fps):
    restored = {key: Fingerprint.from_columns(fp.to_columns(), SETTINGS) for key, fp in seed_fps.items()}
    for key, fp in seed_fps.items():
        columns = fp.to_columns()
        assert set(columns) == {"minhash", "shingles", "passages"}
        assert all(isinstance(value, bytes) for value in columns.values())
        assert restored[key].minhash == fp.minhash and restored[key].minhash.scheme == "affine32"
        assert (restored[key].shingles == fp.shingles).all() and (restored[key].passages == fp.passages).all()
    for a, b in itertools.product(seed_fps, repeat=2):
        assert compare(restored[a], restored[b], SETTINGS) == compare(seed_fps[a], seed_fps[b], SETTINGS)
    assert json.loads(json.dumps(SETTINGS.scheme())) == GroupingSettings().scheme()


def test_signatures_made_with_other_minhash_settings_are_refused(seed_fps):
    columns = seed_fps["000"].to_columns()
    with pytest.raises(ValueError, match="sign the text again"):
        Fingerprint.from_columns(columns, GroupingSettings(num_perm=64))
    with pytest.raises(ValueError, match="sign the text again"):
        Fingerprint.from_columns(columns, GroupingSettings(seed=2))
    assert GroupingSettings(shingle_size=4).scheme() != SETTINGS.scheme()


def test_batch_and_single_fingerprints_agree():
    texts = list(SEED_BODIES.values())
    for batch, text in zip(fingerprints(texts, SETTINGS), texts):
        single = fingerprint(text, SETTINGS)
        assert batch.minhash == single.minhash and (batch.shingles == single.shingles).all()


# ---------------------------------------------------------------- edge cases

@pytest.mark.parametrize("text", ["", "   \n\n ", "!!! … — ***", "Breaking news", "Watch: the video"])
def test_empty_and_very_short_texts_match_nothing(text, seed_fps):
    fp = fingerprint(text, SETTINGS)
    twin = fingerprint(text, SETTINGS)
    assert compare(fp, twin, SETTINGS).same_story is False
    for other in seed_fps.values():
        assert compare(fp, other, SETTINGS) == compare(other, fp, SETTINGS)
        assert not compare(fp, other, SETTINGS).same_story
    index = CandidateIndex(SETTINGS)
    index.add("short", fp)
    index.add("twin", twin)
    index.add_many(seed_fps.items())
    assert "short" in index and len(index) == 7
    assert all(len(members) == 1 for members in group({"short": fp, "twin": twin, **seed_fps}, SETTINGS) if members & {"short", "twin"})
    restored = Fingerprint.from_columns(fp.to_columns(), SETTINGS)
    assert compare(restored, twin, SETTINGS) == compare(fp, twin, SETTINGS)


def test_empty_comparison_is_all_zero():
    empty = fingerprint("", SETTINGS)
    assert compare(empty, empty, SETTINGS) == Match(0.0, 0.0, 0, None)
    assert CandidateIndex(SETTINGS).candidates(empty) == []


def test_index_remove_and_re_add(seed_fps):
    index = CandidateIndex(SETTINGS)
    index.add_many(seed_fps.items())
    assert "000" in index.candidates(seed_fps["001"])
    index.remove("000")
    assert "000" not in index and len(index) == 4
    assert "000" not in index.candidates(seed_fps["001"])
    index.add("000", seed_fps["000"])
    assert "000" in index.candidates(seed_fps["001"])


def test_group_puts_every_key_in_exactly_one_set(seed_fps):
    groups = group(seed_fps, SETTINGS)
    keys = [key for members in groups for key in members]
    assert sorted(keys) == sorted(seed_fps)
    assert groups == group(dict(reversed(list(seed_fps.items()))), SETTINGS)  # same sets, same order
