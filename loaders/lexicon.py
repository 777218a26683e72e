"""The words agencies write for risk, assessments, referrals and shares: the lexicon that
``loaders/textsignals.py`` reads a contact's summary with.

Everything here is data. A pattern is a string of space-separated token slots, matched against the
lower-cased tokens of spaCy's English tokenizer (``spacy.blank("en")``: "couldn't" is "could" "n't",
"Dean's" is "dean" "'s", "16/27" is one token):

* ``word`` the token itself; ``a|b|c`` any of them (inflections are listed: the blank pipeline has
  no lemmatizer, and listing them keeps the matching exact and visible);
* ``[a|b]`` an optional token;
* ``>a|b`` at the end of a target pattern: a token that must follow but is not part of the phrase quoted
  ("she left him >in|after": the phrase is "she left him");
* ``^word`` the word as the first of its sentence ("Standard risk.");
* ``~`` up to three tokens of anything (within the clause: context decides what reaches across);
* ``@PRON`` a pronoun or possessive (her, him, his, them, their, she, he), ``@NUM`` a number,
  ``@NOTSELF`` any word but "himself", "herself" ... (a threat to kill someone else, not suicidal talk).

Each risk factor of ``loaders.vocab.RISK_FACTORS`` has its patterns below (synonyms, inflections
and the phrasings chronologies use). The rule that fires is named ``factor:<factor>#<n>`` (the
n-th pattern of that factor, from 1), so a signal can always be traced to the line that made it; a new pattern goes
at the end of its factor's list, so that no earlier rule's name changes.
Context words (negation, hypothetical and advice, historical, someone else, questions) are at the
end, with the direction in which each reaches (ConText's FORWARD / BACKWARD / BIDIRECTIONAL).
"""

from __future__ import annotations

__all__ = ["FACTOR_PATTERNS", "DASH_PATTERNS", "LEVEL_PATTERNS", "FLOW_PATTERNS", "AGENCY_TYPE_WORDS",
           "CONTEXT_RULES", "TERMINATORS", "TERMINATOR_BEFORE", "INSIDE_OF", "PRONOUNS", "OWN_POSSESSIVE", "OWN_LIFE_DEFAULT"]

PRONOUNS = ("her", "him", "his", "them", "their", "she", "he", "me", "my")

_KILL = "kill|kills|killing|murder|murdering"
# "he said he would end her life" is a threat to kill; "he said he would end his life" is talk of suicide. Whose
# life is told by agreement, not by sex: a threat-to-kill match with "end <possessive> life" is dropped when the
# possessive is the speaker's own (OWN_POSSESSIVE of the nearest subject pronoun before "end": "she ... her life",
# "they ... their lives"); with no subject pronoun in reach ("Adult P said Adult P would end his life") "his" is
# taken as the speaker's own (the one place the lexicon assumes the speaker is a man; README, method limits).
_ENDED = "her|their|them|my|your|his"
OWN_POSSESSIVE = {"he": "his", "she": "her", "they": "their", "i": "my", "you": "your", "we": "our"}
OWN_LIFE_DEFAULT = "his"  # the possessive taken as the speaker's own when no subject pronoun says whose
_THREAT = "threatened|threatening|threatens|threaten|threat|threats"

FACTOR_PATTERNS: dict[str, tuple[str, ...]] = {
    "threats_to_kill": (
        f"{_THREAT} to {_KILL}",
        f"{_THREAT} to {_KILL} @PRON",
        f"{_THREAT} to end her|them|my|your",  # not "their relationship": a threat to end the relationship is no threat to kill
        f"{_THREAT} ~ with death",
        "death threat|threats",
        "ttk",
        "said|says|told|saying|stated ~ would|will|going [to] kill|murder @PRON",
        "would|will|'d|'ll kill|murder @NOTSELF",
        "kill|murder @PRON if @PRON leaves|left|goes|went|tells|told",
        "'ll kill @PRON",
        "take @PRON|her|them too",
        f"said|says|told|saying|stated ~ will|would|'d|'ll end {_ENDED} life",
        f"going to end {_ENDED} life",
        "threatened|threatening|threatens @PRON life",
        f"{_THREAT} to end their|his life|lives",
        # told someone they would be dead: "messaged her saying she would be dead by Friday" (not "she said she would
        # be dead without her medication": the one told is named, or it is said to "you")
        "told|messaged|texted|warned|tells|messages|texts|warns @PRON ~ would|will|'d|'ll be dead",
        "you would|will|'d|'ll be dead",
        "you 're|are dead",
        "you 're|are going to die",
        f"{_THREAT} to burn|torch|petrol ~ with @PRON|them in it|inside",
        "gon na kill|murder @PRON",  # the tokenizer splits "gonna" in two
        # fire at a person: "he had threatened to burn her and the child if she told anyone" (a threat to burn the
        # flat down, with no one said to be in it, is not read as one)
        f"{_THREAT} to burn|torch @PRON",
        f"{_THREAT} to set fire to @PRON",
    ),
    "strangulation": (
        "strangle|strangled|strangles|strangling|strangulation|strangulated",
        "choke|choked|chokes|choking",
        "throttle|throttled|throttles|throttling",
        "hand|hands|arm|arms round|around|on @PRON|the neck|throat",
        "grab|grabbed|grabs|grabbing|grip|gripped|grips|gripping|held|holds|hold|holding|squeezed|squeezes|squeezing|pinned "
        "@PRON [by|round|around] ~ throat|neck",
        "marks|bruising|bruises|bruise|redness|red on|to ~ neck|throat",
        "could|can not|n't breathe",
        "pressure on|to ~ neck|throat",
        "suffocate|suffocated|suffocates|suffocating|suffocation|smother|smothered|smothers|smothering",
        "by the|her|his throat|neck",
        "petechiae|petechial",
        "hand|hands|arm|arms round|around|on ~ 's neck|throat",  # "round V's neck", "round Jade's throat"
        "nfs|chokehold|chokeholds|choke-hold|stranglehold|strangleholds|strangle-hold",  # NFS: non-fatal strangulation (police)
    ),
    "weapon": (
        "knife|knives|blade|machete|gun|firearm|firearms|shotgun|hammer|baseball|axe|bat|crowbar|weapon|weapons",
        "armed with",
        "stabbed|stab|stabbing|stabs",
        "scissors|screwdriver|screwdrivers|machetes|swords|sword|cleaver|bottle|crossbow|taser|pistol|rifle",
        "metal|iron|wooden bar|pole|pipe|stick",
    ),
    "separation": (
        "separated|separation|separating",
        "split|splitting up|from",
        "ended|ending|ends|end the|their relationship",
        "left|leaving|leaves|leave @PRON|the partner|husband|boyfriend|relationship",
        "moved|moving out",
        "has|had left @PRON",
        "broke|broken|breaking up",
        "ex|former partner|boyfriend|husband|wife|girlfriend",
        "no longer together",
        "no longer living together",
        "no longer in a relationship",
        "living apart",
        "kicked|threw @PRON out",
        "asked|told @PRON to leave",
        "left|fled the|their family home",
        "fled to|into ~ refuge",
        # the victim leaving: "she left him in May", "... after he hit her" (not "she left him a note"; "he left her"
        # is as often "left her at home": not read)
        "she left him >.|,|;|in|on|after|and|because|when|following|last|over|for|two|three|four|weeks|months",
        # hyphenated, as most chronologies write it ("her ex-partner": one token, which "ex partner" above never read);
        # "her" only: "his ex-wife" is as often the perpetrator's previous partner (previous_partner_abuse)
        "her ex-partner|ex-boyfriend|ex-husband|ex-wife|ex-girlfriend",
        "relationship [had|has] ended|finished",
        # "away from her ex", "her ex turned up" (not "ex gratia", "ex officio")
        "her ex >.|,|;|and|who|has|had|is|was|said|says|came|comes|turned|turns|keeps|kept|would|will|to|at|from|still|again",
        # told from his side: "he cannot cope since his partner left him", "his wife had left in May" (not "his partner
        # left the room": the relationship, not a place)
        "his partner|wife|girlfriend|fiancee|fiancée [has|had] left him",
        "his partner|wife|girlfriend|fiancee|fiancée [has|had] left >.|,|;|in|on|after|because|when|last|two|three|four",
    ),
    "pregnancy": (
        "pregnant|pregnancy|antenatal|midwife|midwives",
        "@NUM weeks pregnant|gestation",
        "@NUM weeks' gestation",
        "at @NUM weeks",
        "expecting a|her|their|his|our baby|child|twins",
        "booking appointment|visit",
        "new baby|birth|born",
        "newborn|postnatal",
        "gave birth",
        "birth of",
        "is|was|now @NUM weeks",
        "@NUM-week scan|check|appointment",
        "unborn",
        "due date",
        "miscarriage|miscarried",
        "ante-natal|post-natal|gestation",
        "expecting a|her|their|his|our first|second|third|fourth|fifth baby|child",
    ),
    "escalation": (
        "escalation|escalating|escalated|escalate",
        "getting|becoming|got|grew|growing|gets worse",
        "more violent|frequent|serious|often|severe",
        "increasing|increased in frequency|severity",
        "worsening",
        "worst incident|assault|attack",
        "most serious incident|assault|attack",
    ),
    "stalking": (
        "stalking|stalked|stalks|stalk|stalker",
        "followed|follows|following|follow @PRON to|home|around|from|into",
        "turned|turns|turning up at|outside @PRON work|workplace|home|house|flat|school",
        "waiting|waited|waits outside @PRON|the",
        "harassment|harassing|harassed|harasses",
        "repeated|constant|repeatedly calls|messages|texts|calling|messaging|texting",
        "tracking|tracked|tracker",
        "turned|turns|turning up at|outside ~ address|home|house|flat|work|workplace|school|refuge",
        "turned|turns|turning|kept|keeps up unannounced|uninvited|repeatedly",
        "kept|keeps turning|coming|calling|texting|messaging|ringing|following|watching",
        "bombarded|bombarding|bombards @PRON with",
        "sitting|sat|parked|waiting|waited outside",
        "watching @PRON|the house|flat|home",
        "driving|drove|drives past",
        "@NUM texts|calls|messages|voicemails a|per|each day|night|hour",
        # "texts her up to forty times a day" (@NUM is 0-99 in digits and zero to twenty in words)
        "texts|calls|messages|rings|phones|texted|called|messaged|rang|phoned @PRON ~ @NUM|thirty|forty|fifty|sixty|"
        "hundred|hundreds|dozens times a|per|each day|night|hour",
    ),
    "sexual_violence": (
        "rape|raped|rapes|raping",
        "sexual assault|assaults|abuse|violence",
        "sexually assaulted|abused",
        "forced|forces|forcing @PRON to have sex",
        "forced|forcing sex",
        "against @PRON will",
        "non-consensual",
        "sexually abusive|violent",
    ),
    "child_contact_dispute": (
        "child|children contact dispute|disputes",
        "contact dispute|disputes",
        "dispute|disputes|arguments|argument over|about ~ contact|custody|access",
        "custody|access battle|dispute|hearing",
        "child arrangements order|application|hearing",
        "family court",
        "handover|handovers",
        "private law proceedings|application|hearing",
        "contact centre",
    ),
    "coercive_control": (
        "coercive|coercion|controlling",
        "checks|checked|checking|monitors|monitored|monitoring|tracks|tracked|tracking @PRON phone|messages|movements|location|whereabouts|emails|spending",
        "stops|stopped|stopping|prevents|prevented|preventing @PRON seeing|from|going",
        "would not|n't let @PRON leave|out|go",
        "isolates|isolated|isolating @PRON",
        "locks|locked|locking @PRON in|out",
        "smashed|smashes|broke|breaks @PRON phone",
        "took|takes|taken|taking|smashed|broke|damaged|destroyed @PRON|the phone|mobile|keys|passport",
        "jealous|jealousy|possessive|possessiveness",
        "accuses|accused|accusing @PRON of cheating|affairs|having",
        "controls|controlled|controlling what @PRON wears|eats|who",
        # speaking for her: "he answered questions for her throughout", "would not let her speak" (the "not" is the
        # phrase's own, no negation of it)
        "answered|answering|answers|answer|spoke|speaking|speaks|talked|talking|talks [all] [the] [questions|question] for|over @PRON",
        "not|n't let|allow @PRON [to] speak|answer|talk",
    ),
    "financial_abuse": (
        "financial|economic abuse|control",
        "controls|controlled|controlling|takes|took|taking ~ money|finances|benefits|card|wages|salary",
        "no access to money|@PRON money",
        "keeps|kept|took|takes @PRON bank|benefit card|cards|money",
        "loan|loans|debt|debts|credit ~ in @PRON name",
        "allowance",
    ),
    "honour_based_abuse": (
        "honour based|based abuse|violence",
        "honour-based",
        "hba",
        "forced marriage",
        "brought shame|dishonour",
    ),
    "isolation": (
        "isolation|isolated",
        "rarely|never leaves @PRON|the home|house|flat",
        "no friends|family nearby|locally|support",
        "cut|cuts off from ~ family|friends",
        "no one to turn|talk to",
        "nobody to turn|talk to",
        "no support network|networks",
        "isolated from",
    ),
    "previous_partner_abuse": (
        "previous|former|ex partner|partners|girlfriend|girlfriends|wife|wives ~ violence|violent|abuse|abused|assault|assaulted|reported",
        "violence|violent|abuse|abusive|assaults ~ to|against|towards ~ former|previous|ex partner|partners",
        "violent|abusive to|towards ~ former|previous|ex",
        "clare 's law",
        "dvds",
        # "convictions for assault on a former partner", "he had assaulted his ex-partner", "violence towards an ex-wife"
        "assault|assaults|assaulted|assaulting|attack|attacks|attacked|attacking|violence|abuse ~ former|previous|ex "
        "partner|partners|girlfriend|girlfriends|wife|wives",
        "assault|assaults|assaulted|assaulting|attack|attacks|attacked|attacking|violence|abuse|violent|abusive ~ "
        "ex-partner|ex-partners|ex-girlfriend|ex-girlfriends|ex-wife|ex-wives",
    ),
    "criminal_history": (
        "previous|prior|past convictions|conviction|offences|offending",
        "convicted|convictions",
        "criminal record|history",
        "known to police",
        "on licence|probation",  # bail: pattern 9 (not "released on bail": this arrest's)
        "released from prison|custody",
        "prison|custodial sentence",
        "mappa",
        "on bail >for|at|when|following|after",
    ),
    "breach_of_order": (
        "breach|breached|breaching|breaches ~ order|injunction|bail|conditions|notice|dvpn|dvpo",
        "broke|broken|breaking ~ order|injunction|bail|conditions"
    ),
    "mental_health": (
        "depression|depressed|anxiety|anxious|psychosis|psychotic|schizophrenia|bipolar|ptsd|paranoid|paranoia",
        "low mood",
        "mental health|ill",
        "antidepressant|antidepressants|sertraline|fluoxetine|citalopram|mirtazapine|diazepam|antipsychotic",
        "mood|panic low|disorder|attacks|attack",
        "stress|stressed at home|at work",
        "personality|eating|bipolar disorder",
        "eupd|bpd",
        "sectioned",
        "hearing voices",
    ),
    "substance_misuse": (
        "cocaine|heroin|cannabis|amphetamine|amphetamines|methadone|crack|spice|ketamine",
        "drug|drugs use|user|misuse|taking|dealing",
        "substance|substances misuse|use",
        "using drugs",
        "mephedrone|benzodiazepines|benzos|pregabalin|gabapentin|valium",
        "drug-related",
    ),
    "alcohol_misuse": (
        "drunk|intoxicated|alcoholic|drinking|drinks|lager|cider|vodka|beers",
        "alcohol misuse|use|dependence|dependency|problem|problems|abuse|intake",
        "drink|drug problem|problems|driving",
        "under the influence",
        "smelled|smelt of alcohol|drink",
        "audit|audit-c",
        "alcohol dependent|related|-related",
        "alcohol-related|binge",
        "wine|whisky|spirits|cans",
        "units a|per week|day",
    ),
    "suicidal_ideation": (
        "suicidal|suicide",
        "end|ending|ended|take|taking @PRON|[her] own life|lives",
        "thoughts of ending|dying|death|self-harm",
        "life is|was not|n't worth living",
        "wanted|wants|want to die",
        "kill|killing himself|herself|myself",
        "end it all",
        "ligature",
    ),
    "self_harm": (
        "self-harm|self-harmed|self-harming|overdose|overdosed",
        "self harm|harmed|harming",
        "cuts|cut|cutting|scratches|scars|scarring to|on @PRON arms|wrists|legs|forearms|forearm|thighs|arm|wrist",
        "superficial cuts|lacerations",
        "cutting|cut|cuts|harming|harmed|burning|burned|burnt herself|himself|themselves|myself",
    ),
    "animal_abuse": (
        "kicked|hurt|killed|hit|strangled|threatened ~ dog|cat|pet|puppy|animal|animals",
        "dog|cat|pet was|had been ~ hurt|killed|kicked|injured",
        "animal cruelty|abuse",
        "threw|drowned|stabbed|harmed|injured ~ dog|cat|pet|puppy|animal|animals",
    ),
    "child_in_household": (
        "children|child|baby|son|daughter|kids ~ was|were|being present",
        "children|child|baby|son|daughter|kids ~ was|were in the|their|her|his house|home|flat|room|property",
        "children|child|baby|son|daughter|kids ~ was|were at home",
        "in front of the|her|his children|child|kids|baby",
        "while|whilst the|her|his children|child|kids|baby",
        "lives|living with ~ children|child|daughter|son|@NUM-year-old",
        "children|child present",
        "@NUM-year-old daughter|son",
        "children|child|baby|son|daughter|kids ~ was|were upstairs|asleep|downstairs",
        "children|child|baby|son|daughter|kids ~ was|were in bed",
        "children|child|baby|son|daughter|kids ~ was|were in the next room",
        "children|child|kids|son|daughter witnessed|saw|heard",
        "presence of ~ children|child|baby",
        "holding|carrying the|her|his baby|child",
    ),
    "medication_non_compliance": (
        "not taking|stopped|stopping ~ medication|tablets|antidepressants|antipsychotics|meds",
        "non-compliant|noncompliant|non-compliance|non-adherent|non-adherence",
        "not compliant|adherent with|to",
        "stopped taking",
        "not been taking",
        "missed|missing doses|depot|injections",
    ),
    "injury": (
        "bruise|bruises|bruised|bruising",
        "black eye|eyes",
        "cut|split|swollen|bleeding lip|head|nose|eye|face",
        "injury|injuries|injured",
        "fractured|fracture|broken ~ finger|arm|wrist|rib|ribs|nose|jaw|cheekbone|hand",
        "red marks",
        "punched|kicked|hit|slapped|headbutted|pushed|shoved|hits|punches|kicks|slaps|bit|bitten|scratched @PRON",
        "twisted @PRON ~ arm|finger|wrist",
        "bleeding|bled|blood",
        "swelling|swollen",
        "graze|grazes|grazed|scratches",
        "scratch|bite marks",
        "head injury|wound",
        "concussion|laceration|lacerations",
        "dragged|threw|shook|stamped @PRON",
    ),
}

# DASH scores written in the text: the number is the first @NUM (or the first part of "16/27").
DASH_PATTERNS: tuple[str, ...] = (
    "dash [score|risk] [assessment] [checklist] [completed|score] [:|of|-|–|—|=|was|is] [:] @NUM",
    "dash [completed|reviewed|repeated|done] [:|,|with] ~ @NUM yes|ticks|ticked|positive|answers|out|/",
    "dash ~ ~ ~ score|scored|scoring [of|:|was|=] @NUM",
    "scored|scoring|score|scores @NUM on|out|/ ~ dash",
    "@NUM/27|@NUM/24",
    "@NUM out of 27|24",
    "dash @NUM/27|@NUM/24",
    "scored @NUM/27|@NUM/24",
)

# Risk levels written in the text: the level word is normalised with loaders.vocab.RISK_LEVELS.
_LEVEL = "high|medium|standard|low|moderate|std"
LEVEL_PATTERNS: tuple[str, ...] = (
    f"assessed|graded|rated|deemed|confirmed|assessment|graded|identified|risk [as|at|:] [a] {_LEVEL} risk",
    f"risk [level] [was|is] assessed|graded|rated|confirmed as {_LEVEL}",
    f"risk level|grading|rating|assessment [:|of|was|is] {_LEVEL}",
    f", {_LEVEL} risk",
    f"answers|ticks|yes|:|27|24 ~ {_LEVEL} risk",
    f"{_LEVEL} risk case|victim|dash",
    "high-risk|medium-risk|standard-risk|low-risk",
    f"^{_LEVEL} risk",
    f"assessed|graded|rated|deemed|identified [the] [risk] as|at {_LEVEL}",
    f"^risk [:|-] {_LEVEL}",
)

# Events the words record that the event column may not say (loaders.vocab.EVENTS' values): an appointment or
# contact the person was not seen at, a case closed, a discharge. no-follow-up reads them: "Three attempts to
# contact her by phone, no answer. Case closed." on a row whose event is "call". Not "DNA taken" (a sample): DNA
# is the event only first in its sentence, before "appointment" or "again", or after "she", "was" ...
EVENT_PATTERNS: dict[str, tuple[str, ...]] = {
    "did_not_attend": (
        "did|does not|n't attend|show",
        "failed|fails|failing to attend|show",
        "was|were|is|are not brought",
        "no access visit|visits",
        "^dna|dnaed|dnad|dna'd >-|–|—|:|.|,|;|appointment|appointments|again|twice|x2|letter|to|for",
        "dna|dnaed|dnad|dna'd >appointment|appointments|again|twice|x2",
        "she|he|they|patient|client|was|were|has|had dna|dnaed|dnad|dna'd",
        "no answer|reply",
        "unable to contact|reach|engage",
        "not able to contact|reach|engage",
        "unable|failed to make|get contact",
        "could not|n't be contacted|reached",
        "could not|n't contact|reach",
        "unsuccessful attempt|attempts|call|calls|visit|visits",
        "attempt|attempts to contact ~ unsuccessful|failed",
    ),
    "case_closed": (
        "case|file|referral|episode|involvement [was|is|has] [been] [now] closed",
        "closed the case|file|referral",
        "closed to|by the|this service|team",
        "closure letter|letters",
        "case closure",
    ),
    "discharge": (
        "discharged|discharging",
        "discharge to|from|home|summary|letter",
    ),
}

# Referral and share wording (and a referral told by its receiver: "referred_by"). "fwd": the agencies come after the words ("referred to MARAC",
# "shared with the school", "information passed to IDVA", "GP and school informed" is "bwd":
# the agencies come before). The kind (referred_to | shared_with) is the flow's.
FLOW_PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("referred_to", "fwd", "referred|refer|referring|refers [@PRON|the] [case|family|victim|children] [on|onwards|onward] to"),
    ("referred_to", "fwd", "referral|referrals [made|completed|sent|submitted|done] to"),
    ("referred_to", "fwd", "made|completed|sent|submitted|make [a|an] [urgent] referral to"),
    ("referred_to", "bwd", "referral made|completed|submitted|sent|done"),
    ("referred_to", "bwd", "referral [was] made|completed|submitted|sent|done"),
    ("shared_with", "fwd", "shared|share|sharing|shares [the] [information|details|this|it|concerns] with"),
    ("shared_with", "fwd", "information|details|concerns|report|notification|letter|copy|minutes|plan|outcome|risk [assessment] "
                           "[was|were] passed|sent|forwarded|copied|emailed|given|shared [on|onwards|onward] to|with"),
    ("shared_with", "fwd", "passed|sent|forwarded|copied|emailed|faxed [on|onwards|onward] [to]"),
    ("shared_with", "fwd", "informed|notified|updated|alerted|emailed|contacted"),
    ("shared_with", "fwd", "wrote|writes|written|spoke|spoken|speaks to"),
    ("shared_with", "fwd", "letter|notification|email|update to"),
    ("shared_with", "fwd", "liaised|liaison|liaising|discussed [the] [case] with"),
    ("shared_with", "bwd", "informed|notified|updated|alerted|aware"),
    # told by the agency that received it: the flow is from the agency named to the recording agency ("IDVA referral
    # received from police", "referred by the GP", "Police referral received")
    ("referred_by", "fwd", "referral|referrals received|came|accepted from"),
    ("referred_by", "fwd", "referred by"),
    ("referred_by", "fwd", "referral|referrals from"),
    ("referred_by", "fwd", "received|receives|receiving [a|an] [new|further] referral|referrals from"),
    ("referred_by", "bwd", "referral|referrals received|accepted"),
    # adult safeguarding's words for the same: "Safeguarding concern received from police"
    ("referred_by", "fwd", "concern|concerns|alert|alerts|notification|notifications received|came from"),
)

# Words naming an agency by its type ("the GP", "children's services"), mapped to
# loaders.vocab.AGENCY_TYPES; a review's own agency names and aliases are matched first.
AGENCY_TYPE_WORDS: dict[str, str] = {
    "marac": "marac", "mash": "mash", "multi-agency safeguarding hub": "mash",
    "gp": "gp", "gps": "gp", "surgery": "gp", "doctor": "gp", "the practice": "gp", "general practitioner": "gp",
    "police": "police", "officers": "police",
    "idva": "da_service", "idvas": "da_service", "domestic abuse service": "da_service", "women's aid": "da_service",
    "refuge": "da_service", "idva service": "da_service", "outreach": "da_service",
    "children's services": "children_social_care", "childrens services": "children_social_care",
    "children's social care": "children_social_care", "social care": "children_social_care",
    "social services": "children_social_care", "csc": "children_social_care", "social worker": "children_social_care",
    "early help": "children_social_care",
    "adult social care": "adult_social_care", "adult services": "adult_social_care", "asc": "adult_social_care",
    "school": "education", "the school": "education", "college": "education", "nursery": "education",
    "health visitor": "health_visiting", "health visiting": "health_visiting", "0-19 service": "health_visiting",
    "midwife": "health_visiting", "midwifery": "health_visiting", "maternity": "health_visiting",
    "mental health": "mental_health", "mental health team": "mental_health", "cmht": "mental_health",
    "crisis team": "mental_health", "cpn": "mental_health", "home treatment team": "mental_health",
    "drug and alcohol service": "substance_misuse", "recovery service": "substance_misuse",
    "substance misuse service": "substance_misuse", "alcohol service": "substance_misuse",
    "housing": "housing", "housing officer": "housing", "landlord": "housing",
    "probation": "probation", "offender manager": "probation",
    "ambulance": "ambulance", "hospital": "hospital", "a&e": "hospital", "emergency department": "hospital",
    "cafcass": "cafcass", "dwp": "dwp", "jobcentre": "dwp", "immigration": "immigration",
}

# ConText rules: (category, direction, pattern). Categories:
#   NEGATED       the fact is denied or absent ("denied any threats", "no injuries seen", "not pregnant")
#   HYPOTHETICAL  advice, plans, conditions ("advised to call 999 if he threatens her", "would refer if")
#   HISTORICAL    stated as past ("previous DASH of 15 in 2016", "history of"); a risk factor stays (it
#                 is still known), a score, level, referral or share does not (it is not this contact's)
#   OTHER         someone else's experience ("her sister said her own ex had strangled her")
#   QUESTION      asked about, with no answer yes ("asked about strangulation: none")
#   AFFIRMED      an answer that confirms what was asked ("asked about strangulation: yes")
# Direction: FORWARD (the words after, to the end of the clause), BACKWARD (the words before, from
# the start of the clause), BIDIRECTIONAL (the whole clause), NEXT (only a target that starts right after).
CONTEXT_RULES: tuple[tuple[str, str, str], ...] = (
    ("NEGATED", "FORWARD", "no|nil|without|never|neither|nor"),
    ("NEGATED", "FORWARD", "not|n't"),
    ("NEGATED", "FORWARD", "denied|denies|deny|denying"),
    ("NEGATED", "FORWARD", "no evidence|signs|sign|indication|concerns|history|disclosure|reports of"),
    ("NEGATED", "FORWARD", "declined|declines|refused|refuses|against"),
    ("NEGATED", "FORWARD", "did|does|do|was|were|has|had|is|have not|n't"),
    ("NEGATED", "FORWARD", "ruled out"),
    ("NEGATED", "FORWARD", "free from|of"),
    ("NEGATED", "FORWARD", "negative for"),
    ("NEGATED", "BACKWARD", "denied|none|absent|negative"),
    ("NEGATED", "BACKWARD", "ruled out"),
    ("NEGATED", "BACKWARD", "not disclosed|reported|seen|present|asked|explored|discussed|recorded|noted|found"),
    ("NEGATED", "BACKWARD", "was|were not"),
    ("HYPOTHETICAL", "FORWARD", "if|unless|should|whether"),
    ("HYPOTHETICAL", "FORWARD", "in case"),
    ("HYPOTHETICAL", "FORWARD", "in the event"),
    ("HYPOTHETICAL", "FORWARD", "advised|advise|advising|advice|encouraged|encourage|reminded"),
    ("HYPOTHETICAL", "FORWARD", "could|might|may"),
    ("HYPOTHETICAL", "FORWARD", "plan|plans|planned|planning|intends|intend|intention|will|consider|considered|considering|offered|discussed|possible|potential|wants"),
    ("HYPOTHETICAL", "FORWARD", "to be"),
    ("HYPOTHETICAL", "FORWARD", "risk of"),
    ("HYPOTHETICAL", "FORWARD", "worried|scared|afraid about|that|of"),
    ("HYPOTHETICAL", "FORWARD", "fears|fear|feared"),
    ("HYPOTHETICAL", "FORWARD", "what|how to"),
    # a threat is of what has not happened: "he threatened to end the relationship" is no separation (DOMAIN.md:
    # separation is the victim leaving or having left); "threatened to kill" is itself a target, which its own
    # words do not modify. Only the words threatened: "threatened to kill her, keeps her bank card" keeps the card
    ("HYPOTHETICAL", "NEXT", "threatened|threatening|threatens|threaten to"),
    ("HISTORICAL", "FORWARD", "previous|previously|prior|past|historic|historical|earlier|former|last"),
    ("HISTORICAL", "FORWARD", "history of"),
    ("HISTORICAL", "FORWARD", "in the past"),
    ("HISTORICAL", "BIDIRECTIONAL", "years|months ago"),
    ("HISTORICAL", "BIDIRECTIONAL", "in 19@NUM|20@NUM"),
    ("OTHER", "FORWARD", "sister|brother|mother|father|friend|neighbour|cousin|aunt|colleague|mum|dad|niece "
                         "said|says|told|reported|disclosed|described ~ her|his|their own"),
    ("OTHER", "FORWARD", "her|his own ex|partner|husband|boyfriend|wife|girlfriend|ex-partner"),
    ("OTHER", "FORWARD", "sister|friend|mother|neighbour|brother|cousin|colleague 's"),
    ("OTHER", "FORWARD", "another woman|man|family|person"),
    ("OTHER", "FORWARD", "a friend|neighbour|colleague of"),
    ("OTHER", "FORWARD", "her|his brother|sister|mother|father|friend|cousin|neighbour|uncle|aunt was|is|had|has"),
    ("QUESTION", "FORWARD", "asked|asking|enquired|enquiry|screened|screening|questions|question about|for|if|whether|regarding"),
    ("QUESTION", "FORWARD", "routine enquiry"),
    ("AFFIRMED", "BACKWARD", "yes|disclosed|confirmed|positive"),
)

# A risk factor's match inside a match of one of these rules names part of that one, not a fact of its own: the
# "former partner" of "convictions for assault on a former partner" is whom he assaulted (previous_partner_abuse),
# not a separation ("her former partner was violent" is both: the rule is the assault's only).
INSIDE_OF = {"separation": ("factor:previous_partner_abuse#6",)}

# Clause ends: context does not reach past these tokens (nor past a sentence end). A reason given is said as so:
# "he cannot cope since his partner left him", "no referral because she had moved" (the "not" and "no" are of the
# words before).
TERMINATORS = (";", "but", "however", "although", "though", "whereas", "yet", "which", "who", "and", "because", "since")
# Clause ends only before the words given: "asked to be moved as she has separated" ("as" alone is "such as", "as
# well as", which a question or a denial reaches across).
TERMINATOR_BEFORE = {"as": ("she", "he", "they", "i", "we")}
