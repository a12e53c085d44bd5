# The knowledge base: articles offered to clients, saved answers, managers' commands.

## What the client reads

# Under the articles offered on a new ticket's first message (KB_SUGGEST=suggest): the ticket is open anyway.
kb-question-suggest = Возможно, это ответ на ваш вопрос. Если нет — специалист ответит здесь же.
# The same with KB_SUGGEST=hold: nothing reaches the team until the client answers, writes again, or a few minutes pass.
kb-question-hold = Возможно, это ответ на ваш вопрос. Если нет — нажмите «Нужен специалист» или просто напишите ещё, и вопрос получит специалист.
kb-helped-button = Помогло ✅
kb-need-person-button = Нужен специалист 👤
# Replaces the question after «Помогло»: the ticket is closed, no survey follows.
kb-helped-thanks = Рады, что помогло! Обращение #{ $ticket } закрыто. Если появятся вопросы — просто напишите сюда.
# Replaces the question after «Нужен специалист».
kb-need-person-thanks = Спасибо! Ваш вопрос передан специалисту, он ответит здесь же.
# The answer to a press of either button when it no longer applies.
kb-answered = Спасибо, ответ уже учтён.

## What staff read in a ticket's topic

usage-kb = Использование: /kb <slug> — отправить статью клиенту; /kb <слова> — найти статью в базе знаний.
kb-no-match = В базе знаний ничего не нашлось по запросу «{ $query }».
# Above the buttons of the three best matches; the message is removed once one is chosen.
kb-choose = База знаний, «{ $query }»: нажмите статью, чтобы отправить её клиенту.
kb-sent = Статья отправлена клиенту.
# In titles of tickets the knowledge base resolved: 🟣 [Закрыт | база знаний] #12 | …
stage-kb = база знаний
# The card's status line once the client's «Помогло» closed the ticket.
kb-closed-note = Закрыто клиентом: помогла статья из базы знаний.
# A line of the card: the articles offered to the client on the first message.
kb-card-offered = Предложено из базы знаний: { $titles }

## Managers' commands

usage-kb-save = Использование: ответьте на сообщение командой /kb_save <slug> [заголовок] [lang=kk|ru|en]. Slug — латинские буквы, цифры и дефис, например payment-by-card.
kb-save-empty = В этом сообщении нет ни текста, ни файла — сохранять нечего.
kb-save-too-long = Слишком длинный текст для статьи.
kb-save-media = Такой файл нельзя сохранить в статью: подойдут фото, документ, видео, GIF, аудио или голосовое.
kb-saved-created = Статья { $slug } ({ $language }) сохранена: «{ $title }».
kb-saved-translated = Добавлен перевод статьи { $slug } ({ $language }): «{ $title }».
kb-saved-replaced = Статья { $slug } ({ $language }) заменена: «{ $title }».
kb-list-title = Статьи базы знаний: { $count }
kb-list-none = В базе знаний пока нет статей. Ответьте на сообщение командой /kb_save <slug>, чтобы добавить.
kb-unpublished = скрыта
kb-not-found = Статьи { $slug } нет в базе знаний.
usage-kb-show = Использование: /kb_show <slug>
usage-kb-delete = Использование: /kb_delete <slug> [lang=kk|ru|en]
kb-deleted = Статья { $slug } удалена, переводов: { $count }.
kb-media-line = Файл: { $kind }

## Statistics

stats-kb-title = База знаний
stats-kb-deflection = Предложено клиентам: { $offered }, помогло без специалиста: { $helped } ({ $rate })
stats-kb-article = { $slug }: помогло { $helpful }, не помогло { $unhelpful }
