# The knowledge base: articles offered to clients, saved answers, managers' commands.

## What the client reads

kb-question-suggest = This may answer your question. If not, a specialist will reply right here.
kb-question-hold = This may answer your question. If not, tap "Need a specialist" or just write again, and a specialist will get your question.
kb-helped-button = It helped ✅
kb-need-person-button = Need a specialist 👤
kb-helped-thanks = Glad it helped! Request #{ $ticket } is closed. If you have more questions, just write here.
kb-need-person-thanks = Thank you! A specialist has your question and will reply right here.
kb-answered = Thank you, your answer is already noted.

## What staff read in a ticket's topic

usage-kb = Usage: /kb <slug> sends an article to the client; /kb <words> searches the knowledge base.
kb-no-match = Nothing in the knowledge base for "{ $query }".
kb-choose = Knowledge base, "{ $query }": tap an article to send it to the client.
kb-sent = Article sent to the client.
stage-kb = knowledge base
kb-closed-note = Closed by the client: a knowledge-base article helped.
kb-card-offered = Offered from the knowledge base: { $titles }

## Managers' commands

usage-kb-save = Usage: reply to a message with /kb_save <slug> [title] [lang=kk|ru|en]. A slug is Latin letters, digits and dashes, like payment-by-card.
kb-save-empty = This message has neither text nor a file: nothing to save.
kb-save-too-long = The text is too long for an article.
kb-save-media = This kind of file cannot be saved in an article: a photo, document, video, GIF, audio or voice message can.
kb-saved-created = Article { $slug } ({ $language }) saved: "{ $title }".
kb-saved-translated = Translation of { $slug } ({ $language }) added: "{ $title }".
kb-saved-replaced = Article { $slug } ({ $language }) replaced: "{ $title }".
kb-list-title = Knowledge-base articles: { $count }
kb-list-none = The knowledge base has no articles yet. Reply to a message with /kb_save <slug> to add one.
kb-unpublished = hidden
kb-not-found = There is no article { $slug } in the knowledge base.
usage-kb-show = Usage: /kb_show <slug>
usage-kb-delete = Usage: /kb_delete <slug> [lang=kk|ru|en]
kb-deleted = Article { $slug } deleted, translations: { $count }.
kb-media-line = File: { $kind }

## Statistics

stats-kb-title = Knowledge base
stats-kb-deflection = Offered to clients: { $offered }, resolved without a specialist: { $helped } ({ $rate })
stats-kb-article = { $slug }: helped { $helpful }, did not help { $unhelpful }
