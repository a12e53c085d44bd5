# The satisfaction survey after a ticket is closed.

survey-question =
    .speed = Оцените, пожалуйста, скорость ответа (1 — плохо, 5 — отлично):
    .quality = Насколько хорошо решён ваш вопрос?
    .politeness = Насколько вежливо с вами общались?

# The question once answered, in place of its buttons.
survey-answered = { $question } { $score }

survey-ask-comment = Спасибо! Что нам стоит улучшить? Напишите одним сообщением или нажмите «Пропустить».
survey-skip-button = Пропустить
survey-thanks = Спасибо за отзыв! Он помогает нам работать лучше.
survey-stale = Этот опрос уже завершён или устарел.
survey-recorded = Оценка { $score } учтена

# Posted in the ticket's topics.
survey-summary = ⭐ { $speed } · { $quality } · { $politeness }
    .with-comment = ⭐ { $speed } · { $quality } · { $politeness } — "{ $comment }"
