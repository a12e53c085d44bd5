# The satisfaction survey after a ticket is closed.

survey-question =
    .speed = Жауап жылдамдығын бағалаңызшы (1 — нашар, 5 — өте жақсы):
    .quality = Сұрағыңыз қаншалықты жақсы шешілді?
    .politeness = Сізбен қаншалықты сыпайы сөйлестік?

# The question once answered, in place of its buttons.
survey-answered = { $question } { $score }

survey-ask-comment = Рақмет! Нені жақсартуымыз керек? Бір хабарламамен жазыңыз немесе «Өткізіп жіберу» батырмасын басыңыз.
survey-skip-button = Өткізіп жіберу
survey-thanks = Пікіріңізге рақмет! Ол бізге жақсырақ жұмыс істеуге көмектеседі.
survey-stale = Бұл сауалнама аяқталған немесе ескірген.
survey-recorded = Бағаңыз есепке алынды: { $score }

# Posted in the ticket's topics.
survey-summary = ⭐ { $speed } · { $quality } · { $politeness }
    .with-comment = ⭐ { $speed } · { $quality } · { $politeness } — "{ $comment }"
