# The knowledge base: articles offered to clients, saved answers, managers' commands.

## What the client reads

kb-question-suggest = Мүмкін, бұл сұрағыңызға жауап шығар. Олай болмаса, маман осы жерде жауап береді.
kb-question-hold = Мүмкін, бұл сұрағыңызға жауап шығар. Олай болмаса, «Маман керек» түймесін басыңыз немесе тағы жазыңыз — сұрағыңыз маманға жетеді.
kb-helped-button = Көмектесті ✅
kb-need-person-button = Маман керек 👤
kb-helped-thanks = Көмектескеніне қуаныштымыз! #{ $ticket } өтініш жабылды. Сұрақтарыңыз болса, осында жаза беріңіз.
kb-need-person-thanks = Рақмет! Сұрағыңыз маманға жіберілді, ол осы жерде жауап береді.
kb-answered = Рақмет, жауабыңыз ескерілді.

## What staff read in a ticket's topic

usage-kb = Қолданылуы: /kb <slug> — мақаланы клиентке жіберу; /kb <сөздер> — білім қорынан іздеу.
kb-no-match = Білім қорында «{ $query }» бойынша ештеңе табылмады.
kb-choose = Білім қоры, «{ $query }»: клиентке жіберу үшін мақаланы басыңыз.
kb-sent = Мақала клиентке жіберілді.
stage-kb = білім қоры
kb-closed-note = Клиент жапты: білім қорындағы мақала көмектесті.
kb-card-offered = Білім қорынан ұсынылды: { $titles }

## Managers' commands

usage-kb-save = Қолданылуы: хабарламаға /kb_save <slug> [тақырып] [lang=kk|ru|en] командасымен жауап беріңіз. Slug — латын әріптері, сандар және сызықша, мысалы payment-by-card.
kb-save-empty = Бұл хабарламада мәтін де, файл да жоқ — сақтайтын ештеңе жоқ.
kb-save-too-long = Мақала үшін мәтін тым ұзын.
kb-save-media = Мұндай файлды мақалаға сақтау мүмкін емес: фото, құжат, бейне, GIF, аудио немесе дауыстық хабар жарайды.
kb-saved-created = { $slug } мақаласы ({ $language }) сақталды: «{ $title }».
kb-saved-translated = { $slug } мақаласының аудармасы ({ $language }) қосылды: «{ $title }».
kb-saved-replaced = { $slug } мақаласы ({ $language }) ауыстырылды: «{ $title }».
kb-list-title = Білім қорының мақалалары: { $count }
kb-list-none = Білім қорында әзірге мақала жоқ. Қосу үшін хабарламаға /kb_save <slug> командасымен жауап беріңіз.
kb-unpublished = жасырын
kb-not-found = Білім қорында { $slug } мақаласы жоқ.
usage-kb-show = Қолданылуы: /kb_show <slug>
usage-kb-delete = Қолданылуы: /kb_delete <slug> [lang=kk|ru|en]
kb-deleted = { $slug } мақаласы жойылды, аудармалар: { $count }.
kb-media-line = Файл: { $kind }

## Statistics

stats-kb-title = Білім қоры
stats-kb-deflection = Клиенттерге ұсынылды: { $offered }, маман қажет болмады: { $helped } ({ $rate })
stats-kb-article = { $slug }: көмектесті { $helpful }, көмектеспеді { $unhelpful }
