# The satisfaction survey after a ticket is closed.

survey-question =
    .speed = Please rate how quickly we answered (1 — poor, 5 — excellent):
    .quality = How well was your question solved?
    .politeness = How polite were we?

# The question once answered, in place of its buttons.
survey-answered = { $question } { $score }

survey-ask-comment = Thank you! What should we improve? Write it in one message, or press “Skip”.
survey-skip-button = Skip
survey-thanks = Thank you for your feedback! It helps us do better.
survey-stale = This survey is finished or no longer open.
survey-recorded = Score { $score } recorded

# Posted in the ticket's topics.
survey-summary = ⭐ { $speed } · { $quality } · { $politeness }
    .with-comment = ⭐ { $speed } · { $quality } · { $politeness } — "{ $comment }"
