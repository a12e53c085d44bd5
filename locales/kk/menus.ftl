# Descriptions in Telegram's command menus: 3–256 characters each.

command-description =
    .start = Бастау
    .help = Қолдау қызметіне қалай жазуға болады
    .close = Өтінішті жабу
    .priority = Басымдық: /priority low|normal|high|urgent
    .category = Санатқа ауыстыру: /category <кілт>
    .wait = Клиенттің жауабын күту
    .techs = Мамандар және олардың ашық өтініштері
    .tickets = Соңғы өтініштер: /tickets [new|work|closed]
    .ticket = Өтініш толығырақ: /ticket <нөмір>
    .find = Іздеу: /find <мәтін | @username | id | #нөмір>
    .stats = Статистика: /stats [күн]
    .tech-on = Маман жаңа өтініштерді қабылдайды: /tech_on <id>
    .tech-off = Маман жаңа өтініштерді қабылдамайды: /tech_off <id>
    .failed = Жеткізілмеген хабарламалар
    .resend = Қайта жіберу: /resend <нөмір>
    .ban = Клиентті бұғаттау: топикте /ban
    .unban = Клиентті бұғаттан шығару: /unban <id>
    .banned = Бұғатталған клиенттер
    .app = Панельді ашу (Mini App)
    .api-token = Интеграцияға токен: /api_token <атауы> [read|write]
    .other = Команда
