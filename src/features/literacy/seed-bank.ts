import type { ItemDefinition, Text } from './items.js';

/**
 * The first question bank (version 1), written from schemes people in Kazakhstan meet: calls
 * from a "bank security service", eGov and Kaspi look-alike links, marketplace prepayment,
 * "your relative is in trouble", an e-signature passed to a colleague. Loaded on start when the
 * bank is empty; operators change it only through new versions.
 */
const t = (kk: string, ru: string, en: string): Text => ({ kk, ru, en });

const SCAM_PROMPT = t(
  'Бұл хабарлама (қоңырау, бет) алаяқтық па, әлде шынайы ма?',
  'Это сообщение (звонок, страница) — мошенничество или настоящее?',
  'Is this message (call, page) a scam or genuine?',
);

export const SEED_BANK: ItemDefinition[] = [
  // ── Safety: fraud as it reaches people in Kazakhstan ──────────────────────────────
  {
    key: 'safety-bank-security-call',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 1,
    content: {
      prompt: SCAM_PROMPT,
      exhibit: {
        channel: 'call',
        from: '+7 727 000 0000 «Қауіпсіздік қызметі / Служба безопасности банка»',
        body: t(
          'Сәлеметсіз бе, банктің қауіпсіздік қызметінен. Сіздің картаңыздан күдікті аударым байқалды. Оны тоқтату үшін қазір SMS-пен келген кодты айтыңыз.',
          'Здравствуйте, служба безопасности банка. По вашей карте замечен подозрительный перевод. Чтобы его отменить, продиктуйте код, который сейчас придёт в SMS.',
          'Hello, this is the bank security service. We see a suspicious transfer from your card. To cancel it, read me the code that is about to arrive by SMS.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'scam',
      explanation: t(
        'Банк ешқашан SMS-кодты сұрамайды. Тұтқаны қойып, картаның артындағы нөмірге өзіңіз қоңырау шалыңыз.',
        'Банк никогда не спрашивает код из SMS. Положите трубку и сами позвоните по номеру на обороте карты.',
        'A bank never asks for an SMS code. Hang up and call the number on the back of your card yourself.',
      ),
    },
  },
  {
    key: 'safety-egov-sms-link',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 1,
    content: {
      prompt: SCAM_PROMPT,
      exhibit: {
        channel: 'sms',
        from: 'eGov-KZ',
        body: t(
          'Сіздің ЭЦҚ мерзімі бүгін аяқталады! Жаңарту үшін: egov-kz.online/ecp — ЖСН мен құпиясөзді енгізіңіз.',
          'Срок вашей ЭЦП истекает сегодня! Для продления: egov-kz.online/ecp — введите ИИН и пароль.',
          'Your e-signature (EDS) expires today! To renew: egov-kz.online/ecp — enter your IIN and password.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'scam',
      explanation: t(
        'eGov-тың мекенжайы тек egov.kz. «egov-kz.online» — жалған сайт, ол ЭЦҚ құпиясөзін ұрлайды.',
        'Адрес eGov — только egov.kz. «egov-kz.online» — поддельный сайт, он крадёт пароль от ЭЦП.',
        'eGov lives only at egov.kz. "egov-kz.online" is a fake site that steals the e-signature password.',
      ),
    },
  },
  {
    key: 'safety-kaspi-bonus-page',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 1,
    content: {
      prompt: SCAM_PROMPT,
      exhibit: {
        channel: 'page',
        from: 'https://kaspi-bonus-kz.com/aksiya',
        body: t(
          'Kaspi 20 жыл! Әр клиентке 50 000 ₸ бонус. Алу үшін карта нөмірін, мерзімін, CVV және SMS-кодты енгізіңіз.',
          'Kaspi 20 лет! Каждому клиенту бонус 50 000 ₸. Чтобы получить, введите номер карты, срок, CVV и код из SMS.',
          'Kaspi turns 20! A 50,000 ₸ bonus for every customer. To claim it, enter your card number, expiry, CVV and the SMS code.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'scam',
      explanation: t(
        'Мекенжай kaspi.kz емес, ал бонус үшін CVV мен SMS-код сұралмайды. Бұл — фишинг.',
        'Адрес не kaspi.kz, а за бонус не просят CVV и код из SMS. Это фишинг.',
        'The address is not kaspi.kz, and nobody needs your CVV and SMS code to give you a bonus. This is phishing.',
      ),
    },
  },
  {
    key: 'safety-relative-in-trouble',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 1,
    content: {
      prompt: SCAM_PROMPT,
      exhibit: {
        channel: 'messenger',
        from: '+7 776 000 0000 (белгісіз нөмір / неизвестный номер)',
        body: t(
          'Апа, бұл мен, телефоным бұзылды, досымның нөмірінен жазып тұрмын. Қиын жағдайға түстім, шұғыл 150 000 ₸ мына картаға аударшы. Қоңырау шалма, сөйлесе алмаймын.',
          'Мам, это я, телефон сломался, пишу с номера друга. Попал в беду, срочно переведи 150 000 ₸ на эту карту. Не звони, не могу говорить.',
          'Mum, it is me, my phone broke, I am writing from a friend\'s number. I am in trouble, send 150,000 ₸ to this card right now. Don\'t call, I can\'t talk.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'scam',
      explanation: t(
        'Туысыңыздың өз нөміріне қоңырау шалып тексеріңіз. «Қоңырау шалма» және шұғылдық — алаяқтың белгісі.',
        'Перезвоните родственнику на его собственный номер. «Не звони» и срочность — признаки мошенника.',
        'Call your relative on their own number. "Don\'t call" and the rush are the marks of a fraudster.',
      ),
    },
  },
  {
    key: 'safety-marketplace-prepayment',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 2,
    content: {
      prompt: SCAM_PROMPT,
      exhibit: {
        channel: 'messenger',
        from: 'Сатушы / Продавец «Айдос, iPhone 14»',
        body: t(
          'Телефон сізге резервте. Толық алдын ала төлемді картама аударыңыз, ал жеткізуді olx-kz-dostavka.site арқылы рәсімдеңіз — сол жерге карта деректерін енгізесіз.',
          'Телефон за вами. Переведите полную предоплату мне на карту, а доставку оформите через olx-kz-dostavka.site — там введёте данные карты.',
          'The phone is yours. Send the full prepayment to my card and book the delivery at olx-kz-dostavka.site, where you enter your card details.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'scam',
      explanation: t(
        'Бейтаныс адамға толық алдын ала төлем және «жеткізу» деген бөгде сайт — маркетплейстегі алаяқтықтың кең тараған тәсілі. Тек маркетплейстің өз төлемін қолданыңыз.',
        'Полная предоплата незнакомцу и сторонний сайт «доставки» — частая схема мошенничества на маркетплейсах. Платите только через сам маркетплейс.',
        'Full prepayment to a stranger and an outside "delivery" site are a common marketplace scam. Pay only through the marketplace itself.',
      ),
    },
  },
  {
    key: 'safety-genuine-egov-code',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 2,
    content: {
      prompt: t(
        'Сіз жаңа ғана eGov Mobile қосымшасына өзіңіз кіре бастадыңыз және мына SMS келді. Бұл алаяқтық па, әлде шынайы ма?',
        'Вы только что сами начали вход в приложение eGov Mobile и получили это SMS. Это мошенничество или настоящее?',
        'You have just started signing in to the eGov Mobile app yourself and received this SMS. Scam or genuine?',
      ),
      exhibit: {
        channel: 'sms',
        from: '1414',
        body: t(
          'eGov Mobile-ге кіру коды: 482913. Кодты ешкімге айтпаңыз.',
          'Код для входа в eGov Mobile: 482913. Никому не сообщайте код.',
          'Your eGov Mobile sign-in code: 482913. Do not tell anyone this code.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'genuine',
      explanation: t(
        'Код сіз өзіңіз бастаған кіруге келді және сілтемесі жоқ. Оны тек қосымшаға енгізіңіз, ешкімге айтпаңыз.',
        'Код пришёл на вход, который вы начали сами, и в нём нет ссылки. Вводите его только в приложение и никому не называйте.',
        'The code answers a sign-in you started yourself and carries no link. Type it only into the app and tell it to no one.',
      ),
    },
  },
  {
    key: 'safety-financial-police-call',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 2,
    content: {
      prompt: SCAM_PROMPT,
      exhibit: {
        channel: 'call',
        from: '«Қаржы мониторингі агенттігінің тергеушісі / следователь АФМ»',
        body: t(
          'Сіздің атыңызға несие рәсімделуде, бұл — тергеу құпиясы. Ақшаңызды сақтау үшін барлық жинағыңызды біз айтатын «қауіпсіз шотқа» аударыңыз және ешкімге айтпаңыз.',
          'На ваше имя оформляют кредит, это тайна следствия. Чтобы сохранить деньги, переведите все сбережения на «безопасный счёт», который мы назовём, и никому не говорите.',
          'Someone is taking a loan in your name; this is a secret investigation. To keep your money safe, move all your savings to the "safe account" we give you and tell no one.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'scam',
      explanation: t(
        '«Қауіпсіз шот» деген болмайды. Полиция да, банк те ақша аударуды сұрамайды. 102-ге немесе банкке өзіңіз хабарласыңыз.',
        '«Безопасных счетов» не бывает. Ни полиция, ни банк не просят переводить деньги. Сами позвоните в 102 или в банк.',
        'There is no such thing as a "safe account". Neither police nor banks ask you to move money. Call 102 or your bank yourself.',
      ),
    },
  },
  {
    key: 'safety-genuine-purchase-sms',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 2,
    content: {
      prompt: t(
        'Сіз дүкенде картамен 12 500 ₸ төледіңіз және бірден мына SMS келді. Бұл алаяқтық па, әлде шынайы ма?',
        'Вы только что оплатили картой 12 500 ₸ в магазине и сразу получили это SMS. Это мошенничество или настоящее?',
        'You just paid 12,500 ₸ by card in a shop and immediately received this SMS. Scam or genuine?',
      ),
      exhibit: {
        channel: 'sms',
        from: 'HalykBank',
        body: t(
          'Сатып алу 12 500 ₸, MAGNUM ASTANA. Қолжетімді: 84 300 ₸.',
          'Покупка 12 500 ₸, MAGNUM ASTANA. Доступно: 84 300 ₸.',
          'Purchase 12,500 ₸, MAGNUM ASTANA. Available: 84,300 ₸.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'genuine',
      explanation: t(
        'Хабарлама сіздің төлеміңізге сәйкес, сілтеме мен сұрау жоқ. Әр хабарлама алаяқтық емес: сілтеме, код немесе ақша сұрағанын тексеріңіз.',
        'Сообщение совпадает с вашей покупкой, в нём нет ссылки и просьбы. Не каждое сообщение — мошенничество: смотрите, просят ли перейти, назвать код или перевести деньги.',
        'It matches your purchase and asks for nothing. Not every message is a scam: look for a link, a request for a code, or for money.',
      ),
    },
  },
  {
    key: 'safety-investment-offer',
    area: 'safety',
    type: 'spot-the-scam',
    difficulty: 1,
    content: {
      prompt: SCAM_PROMPT,
      exhibit: {
        channel: 'messenger',
        from: 'KazInvest Pro',
        body: t(
          'Ұлттық компаниялардың акцияларына салым! Айына 30% кепілді табыс. Тек бүгін: 20 000 ₸ салыңыз, менеджер бәрін өзі жасайды, телефоныңызға қосымша орнатыңыз.',
          'Инвестиции в акции национальных компаний! Гарантированный доход 30% в месяц. Только сегодня: вложите 20 000 ₸, менеджер всё сделает сам, установите приложение на телефон.',
          'Invest in national company shares! Guaranteed 30% a month. Today only: put in 20,000 ₸, a manager does everything, just install our app on your phone.',
        ),
      },
    },
    solution: {
      type: 'spot-the-scam',
      verdict: 'scam',
      explanation: t(
        'Кепілді жоғары табыс болмайды. Лицензияны АРРФР (finreg.kz) тізілімінен тексеріңіз, бейтаныстардың қосымшасын орнатпаңыз.',
        'Гарантированной высокой доходности не бывает. Проверьте лицензию в реестре АРРФР (finreg.kz) и не ставьте приложения от незнакомцев.',
        'Guaranteed high returns do not exist. Check the licence in the ARDFM register (finreg.kz) and never install apps strangers send.',
      ),
    },
  },
  {
    key: 'safety-esign-colleague',
    area: 'safety',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t(
        'Сіз демалысқа шығасыз. Әріптесіңіз құжаттарға қол қою үшін сіздің ЭЦҚ файлыңыз бен құпиясөзіңізді сұрайды. Не істеу керек?',
        'Вы уходите в отпуск. Коллега просит ваш файл ЭЦП и пароль, чтобы подписывать документы. Как поступить?',
        'You are going on leave. A colleague asks for your e-signature file and password to sign documents. What do you do?',
      ),
      options: [
        t('Файл мен құпиясөзді беремін, ол сенімді адам', 'Отдам файл и пароль, коллеге можно доверять', 'Give the file and password; the colleague is trustworthy'),
        t('Тек файлды беремін, құпиясөзді телефонмен айтамын', 'Отдам только файл, пароль скажу по телефону', 'Give only the file and tell the password by phone'),
        t('Бас тартамын: ЭЦҚ-ны беру — құқық бұзушылық; ұйым әріптеске өз ЭЦҚ-сын рәсімдеуі керек', 'Откажу: передача ЭЦП — правонарушение; организация должна оформить коллеге его собственную ЭЦП', 'Refuse: passing an e-signature on is an offence; the organization should get the colleague their own'),
        t('Құпиясөзді WhatsApp-қа жіберемін, кейін өшіремін', 'Отправлю пароль в WhatsApp, потом удалю', 'Send the password on WhatsApp and delete it later'),
      ],
    },
    solution: {
      type: 'single',
      correct: 2,
      explanation: t(
        'ЭЦҚ-ны басқа адамға беру ӘҚБтК 640-бабы бойынша айыппұлмен жазаланады; оның атынан қол қойылған әрбір құжат үшін сіз жауап бересіз.',
        'Передача ЭЦП другому лицу наказывается штрафом по статье 640 КоАП; за каждый документ, подписанный ею, отвечаете вы.',
        'Passing your e-signature to someone else is fined under article 640 of the Code of Administrative Offences, and you answer for every document signed with it.',
      ),
    },
  },
  {
    key: 'safety-esign-protection',
    area: 'safety',
    type: 'multiple',
    difficulty: 2,
    content: {
      prompt: t(
        'ЭЦҚ-ны қорғайтын әрекеттердің барлығын таңдаңыз.',
        'Выберите все действия, которые защищают вашу ЭЦП.',
        'Choose every action that protects your e-signature.',
      ),
      options: [
        t('Кілтті жеке құрылғыда немесе токенде күрделі құпиясөзбен сақтау', 'Хранить ключ на личном устройстве или токене со сложным паролем', 'Keep the key on a personal device or token with a strong password'),
        t('Құпиясөзді мониторға жабыстырылған қағазға жазу', 'Записать пароль на стикере на мониторе', 'Write the password on a sticky note on the monitor'),
        t('Жоғалса немесе біреу білсе, бірден кері қайтарып алу', 'Сразу отозвать, если ключ потерян или пароль кто-то узнал', 'Revoke it at once if the key is lost or someone learned the password'),
        t('.p12 файлын жұмыстағы ортақ қалтада сақтау', 'Хранить файл .p12 в общей папке на работе', 'Keep the .p12 file in a shared folder at work'),
        t('Құпиясөзді ешкімге, «банк қызметкеріне» де айтпау', 'Никому не называть пароль, даже «сотруднику банка»', 'Never tell the password to anyone, not even a "bank employee"'),
      ],
    },
    solution: {
      type: 'multiple',
      correct: [0, 2, 4],
      explanation: t(
        'Кілт тек сізде болуы керек; күмән туса — кері қайтарып алыңыз.',
        'Ключ должен быть только у вас; при сомнении — отзовите его.',
        'The key must be yours alone; when in doubt, revoke it.',
      ),
    },
  },
  {
    key: 'safety-after-data-leak',
    area: 'safety',
    type: 'ordering',
    difficulty: 2,
    content: {
      prompt: t(
        'Сіздің деректеріңіз ағып кеткенін білдіңіз. Әрекеттерді дұрыс ретпен орналастырыңыз.',
        'Вы узнали, что ваши данные утекли. Расположите действия в правильном порядке.',
        'You learned that your data leaked. Put the steps in the right order.',
      ),
      options: [
        t('Несие алуға тыйым (ерікті бас тарту) қою', 'Установить запрет на кредиты (добровольный отказ)', 'Place a loan restriction (voluntary refusal)'),
        t('Қандай деректер ағып кеткенін ресми тізілімнен тексеру', 'Проверить в официальном реестре, какие данные утекли', 'Check in the official registry which data leaked'),
        t('Ай сайын несие тарихы мен банк үзінділерін қарап отыру', 'Ежемесячно проверять кредитную историю и выписки', 'Check your credit history and statements every month'),
        t('Құпиясөздерді ауыстыру, алдымен электрондық пошта мен eGov', 'Сменить пароли, начиная с почты и eGov', 'Change passwords, e-mail and eGov first'),
      ],
    },
    solution: {
      type: 'ordering',
      order: [1, 3, 0, 2],
      explanation: t(
        'Алдымен не ағып кеткенін біліңіз, содан кейін кіруді жабыңыз, несиеге тыйым қойыңыз және бақылап отырыңыз.',
        'Сначала узнайте, что утекло, затем закройте доступ, поставьте запрет на кредиты и следите дальше.',
        'First learn what leaked, then close access, restrict loans, then keep watching.',
      ),
    },
  },
  {
    key: 'safety-loan-restriction-how',
    area: 'safety',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t(
        'Қазақстанда өз атыңызға несие алуға ерікті бас тартуды қалай қоюға болады?',
        'Как в Казахстане установить добровольный отказ от получения кредитов на своё имя?',
        'How do you place a voluntary refusal of loans in your name in Kazakhstan?',
      ),
      options: [
        t('eGov арқылы өтініш беріп, оған ЭЦҚ-мен қол қою', 'Подать заявку через eGov и подписать её ЭЦП', 'Apply through eGov and sign the application with your e-signature'),
        t('Микроқаржы ұйымына қоңырау шалу', 'Позвонить в микрофинансовую организацию', 'Call a microfinance organization'),
        t('Әлеуметтік желіде хабарландыру жариялау', 'Опубликовать объявление в соцсети', 'Post an announcement on social media'),
        t('Банктен хабарласқан адамға ЖСН-ді айту', 'Назвать ИИН человеку, позвонившему из «банка»', 'Tell your IIN to someone calling "from the bank"'),
      ],
    },
    solution: {
      type: 'single',
      correct: 0,
      explanation: t(
        'Бас тарту eGov-та ЭЦҚ-мен қол қойылған өтінішпен қойылады және жаңа қол қойылған өтінішпен ғана алынады.',
        'Отказ ставится в eGov заявлением, подписанным ЭЦП, и снимается только новым подписанным заявлением.',
        'The refusal is placed on eGov with an application signed by e-signature and lifted only by a new signed application.',
      ),
    },
  },
  {
    key: 'safety-loan-restriction-effect',
    area: 'safety',
    type: 'single',
    difficulty: 3,
    content: {
      prompt: t(
        'Сізде несиеден ерікті бас тарту тұр, бірақ алаяқ бәрібір сіздің атыңызға несие алды. 2024 жылғы 1 қыркүйектен бастап не болады?',
        'У вас действует добровольный отказ от кредитов, но мошенник всё же получил кредит на ваше имя. Что происходит с 1 сентября 2024 года?',
        'You have a voluntary loan refusal in place, yet a fraudster got a loan in your name. What happens since 1 September 2024?',
      ),
      options: [
        t('Қарызды сіз төлейсіз', 'Долг выплачиваете вы', 'You repay the debt'),
        t('Кредитор несиені есептен шығарады', 'Кредитор списывает такой кредит', 'The lender writes the loan off'),
        t('Қарыз туыстарыңызға өтеді', 'Долг переходит к родственникам', 'The debt passes to your relatives'),
        t('Бас тарту жойылады', 'Отказ аннулируется', 'The refusal is cancelled'),
      ],
    },
    solution: {
      type: 'single',
      correct: 1,
      explanation: t(
        'Бас тартуға қарамастан берілген несиені кредитор есептен шығарады: тыйым — нақты қорғаныс.',
        'Кредит, выданный вопреки отказу, кредитор списывает: запрет — реальная защита.',
        'A loan issued despite the refusal is written off by the lender: the restriction really protects you.',
      ),
    },
  },
  {
    key: 'safety-sms-code-caller',
    area: 'safety',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t(
        'SMS-те «Кодты ешкімге айтпаңыз» деп жазылған, ал «банктен» қоңырау шалған адам сол кодты сұрайды. Не істейсіз?',
        'В SMS написано «Никому не сообщайте код», а звонящий «из банка» просит этот код. Что вы делаете?',
        'The SMS says "Do not tell anyone this code", and a caller "from the bank" asks for it. What do you do?',
      ),
      options: [
        t('Айтамын, ол банк қызметкері ғой', 'Назову, это же сотрудник банка', 'Tell it; it is a bank employee'),
        t('Кодтың жартысын ғана айтамын', 'Назову только половину кода', 'Tell only half of the code'),
        t('Айтпаймын, тұтқаны қойып, банкке картадағы нөмір бойынша өзім хабарласамын', 'Не назову, положу трубку и сам позвоню в банк по номеру с карты', 'Do not tell it; hang up and call the bank on the number on my card'),
        t('Кодты SMS-пен жіберемін', 'Отправлю код в SMS', 'Send the code by SMS'),
      ],
    },
    solution: {
      type: 'single',
      correct: 2,
      explanation: t('Код — сіздің қолыңыз. Оны сұраған адам — алаяқ.', 'Код — это ваша подпись. Кто его просит — мошенник.', 'The code is your signature. Whoever asks for it is a fraudster.'),
    },
  },
  {
    key: 'safety-qr-signin',
    area: 'safety',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t(
        'Бейтаныс адам мессенджерде QR-код жіберіп: «Жәрдемақы алу үшін eGov Mobile-мен сканерлеңіз» дейді. Бұл нені білдіруі мүмкін?',
        'Незнакомец присылает в мессенджере QR-код: «Отсканируйте в eGov Mobile, чтобы получить выплату». Что это может значить?',
        'A stranger sends a QR code in a messenger: "Scan it with eGov Mobile to receive a payment". What might this mean?',
      ),
      options: [
        t('Сканерлеу оны сіздің атыңыздан eGov-қа кіргізеді немесе құжатқа қол қояды — сканерлемеу керек', 'Сканирование впустит его в eGov от вашего имени или подпишет документ — сканировать нельзя', 'Scanning signs him in to eGov as you or signs a document — do not scan'),
        t('Бұл төлем алудың қалыпты тәсілі', 'Это обычный способ получить выплату', 'It is the normal way to receive a payment'),
        t('QR-код қауіпсіз, ол тек суреттер', 'QR-код безопасен, это просто картинка', 'A QR code is safe, it is just a picture'),
        t('Сканерлеп, содан кейін ойланамын', 'Отсканирую, а потом подумаю', 'Scan first, think later'),
      ],
    },
    solution: {
      type: 'single',
      correct: 0,
      explanation: t(
        'eGov-тағы QR арқылы кіру — сіздің атыңыздан кіру. Тек өзіңіз ашқан ресми сайттағы QR-ды сканерлеңіз.',
        'Вход по QR в eGov — это вход от вашего имени. Сканируйте QR только на официальном сайте, который открыли сами.',
        'QR sign-in to eGov is signing in as you. Scan only a QR shown on the official site you opened yourself.',
      ),
    },
  },
  {
    key: 'safety-phishing-signs',
    area: 'safety',
    type: 'multiple',
    difficulty: 2,
    content: {
      prompt: t('Фишинг беттің белгілерін таңдаңыз.', 'Выберите признаки фишинговой страницы.', 'Choose the signs of a phishing page.'),
      options: [
        t('Мекенжай ресми доменге ұқсас, бірақ басқа (kaspi-kz.info)', 'Адрес похож на официальный, но другой (kaspi-kz.info)', 'The address resembles the official one but differs (kaspi-kz.info)'),
        t('CVV мен SMS-кодты бірге сұрайды', 'Просит CVV и код из SMS вместе', 'It asks for the CVV and the SMS code together'),
        t('«1 сағат ішінде үлгеріңіз» деп асықтырады', 'Торопит: «успейте за 1 час»', 'It hurries you: "only 1 hour left"'),
        t('Мекенжай жолында құлып белгісі бар', 'В адресной строке есть замочек', 'There is a padlock in the address bar'),
      ],
    },
    solution: {
      type: 'multiple',
      correct: [0, 1, 2],
      explanation: t(
        'Құлып тек байланыс шифрланғанын білдіреді: алаяқтың сайтында да ол болады.',
        'Замочек значит только, что соединение шифруется: он есть и на сайте мошенника.',
        'The padlock only means the connection is encrypted; fraudsters\' sites have it too.',
      ),
    },
  },
  {
    key: 'safety-remote-access-app',
    area: 'safety',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t(
        '«Банктің техникалық қолдауы» «шотыңызды қорғау» үшін AnyDesk қосымшасын орнатуды сұрайды. Не істейсіз?',
        '«Техподдержка банка» просит установить AnyDesk, чтобы «защитить ваш счёт». Что вы делаете?',
        '"Bank technical support" asks you to install AnyDesk to "protect your account". What do you do?',
      ),
      options: [
        t('Орнатамын және кодты айтамын', 'Установлю и продиктую код', 'Install it and read out the code'),
        t('Бас тартамын: бұл телефонды басқаруды береді; банкке өзім хабарласамын', 'Откажусь: это даёт управление телефоном; сам позвоню в банк', 'Refuse: it hands over control of my phone; I call the bank myself'),
        t('Орнатамын, бірақ банк қосымшасын ашпаймын', 'Установлю, но не буду открывать приложение банка', 'Install it but not open the bank app'),
      ],
    },
    solution: {
      type: 'single',
      correct: 1,
      explanation: t(
        'Қашықтан басқару қосымшасы алаяққа экраныңыз бен кодтарыңызды көрсетеді.',
        'Программа удалённого доступа показывает мошеннику ваш экран и коды.',
        'A remote-access app shows the fraudster your screen and your codes.',
      ),
    },
  },
  {
    key: 'safety-strong-password',
    area: 'safety',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t('Қай құпиясөз ең берік?', 'Какой пароль самый надёжный?', 'Which password is the strongest?'),
      options: [
        t('880515 (туған күн)', '880515 (дата рождения)', '880515 (a birth date)'),
        t('Qwerty123', 'Qwerty123', 'Qwerty123'),
        t('Бірнеше кездейсоқ сөз: «таба-жаңбыр-көпір-жасыл»', 'Несколько случайных слов: «сковорода-дождь-мост-зелёный»', 'Several random words: "pan-rain-bridge-green"'),
        t('Атыңыз бен тегіңіз', 'Ваши имя и фамилия', 'Your first and last name'),
      ],
    },
    solution: {
      type: 'single',
      correct: 2,
      explanation: t(
        'Ұзын кездейсоқ сөз тіркесін табу қиын, ал туған күн мен есімді алаяқ ағып кеткен деректерден біледі.',
        'Длинную фразу из случайных слов трудно подобрать, а дату рождения и имя мошенник знает из утечек.',
        'A long phrase of random words is hard to guess; your birth date and name are in leaked data.',
      ),
    },
  },

  // ── Information and data literacy ─────────────────────────────────────────────────
  {
    key: 'information-official-domain',
    area: 'information',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t('Қай мекенжай eGov ресми порталына жатады?', 'Какой адрес принадлежит официальному порталу eGov?', 'Which address belongs to the official eGov portal?'),
      options: [t('egov-kz.online', 'egov-kz.online', 'egov-kz.online'), t('egov.kz', 'egov.kz', 'egov.kz'), t('egov.kz.gov-services.com', 'egov.kz.gov-services.com', 'egov.kz.gov-services.com'), t('e-gov.kz.info', 'e-gov.kz.info', 'e-gov.kz.info')],
    },
    solution: {
      type: 'single',
      correct: 1,
      explanation: t(
        'Доменді оңнан солға оқыңыз: «egov.kz.gov-services.com» — gov-services.com сайты.',
        'Читайте домен справа налево: «egov.kz.gov-services.com» — это сайт gov-services.com.',
        'Read the domain from the right: "egov.kz.gov-services.com" is a gov-services.com site.',
      ),
    },
  },
  {
    key: 'information-check-viral-message',
    area: 'information',
    type: 'multiple',
    difficulty: 2,
    content: {
      prompt: t(
        'Чатқа «ертеңнен бастап зейнетақы төленбейді» деген хабарлама келді. Оны қалай тексересіз? Барлық дұрыс жолды таңдаңыз.',
        'В чат пришло сообщение «с завтрашнего дня пенсии не будут выплачивать». Как это проверить? Выберите все верные способы.',
        'A chat message says "from tomorrow pensions will not be paid". How do you check it? Choose every right way.',
      ),
      options: [
        t('Ресми дереккөзді (gov.kz, ведомство сайты) қарау', 'Посмотреть официальный источник (gov.kz, сайт ведомства)', 'Look at the official source (gov.kz, the agency\'s site)'),
        t('Басқа сенімді БАҚ-та бар-жоғын іздеу', 'Поискать, пишут ли об этом другие надёжные СМИ', 'Search whether other reliable media report it'),
        t('Бірден барлық чаттарға тарату', 'Сразу переслать во все чаты', 'Forward it to every chat at once'),
        t('Хабарламаның күнін тексеру', 'Проверить дату сообщения', 'Check the message\'s date'),
      ],
    },
    solution: {
      type: 'multiple',
      correct: [0, 1, 3],
      explanation: t('Таратпас бұрын тексеріңіз.', 'Проверьте, прежде чем пересылать.', 'Check before you forward.'),
    },
  },
  {
    key: 'information-search-ads',
    area: 'information',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t(
        'Іздеу нәтижелерінің басында «Жарнама» белгісі бар сілтемелер нені білдіреді?',
        'Что значат ссылки с пометкой «Реклама» в начале результатов поиска?',
        'What do links marked "Ad" at the top of search results mean?',
      ),
      options: [
        t('Бұл ең сенімді сайттар', 'Это самые надёжные сайты', 'They are the most reliable sites'),
        t('Оларды біреу ақшаға орналастырған; алаяқтар да жарнама сатып алады', 'Их разместили за деньги; мошенники тоже покупают рекламу', 'Someone paid to place them; fraudsters buy ads too'),
        t('Бұл мемлекеттік сайттар', 'Это государственные сайты', 'They are government sites'),
      ],
    },
    solution: {
      type: 'single',
      correct: 1,
      explanation: t('Ресми сайтқа мекенжайды өзіңіз теріп кіріңіз.', 'На официальный сайт заходите, набрав адрес сами.', 'Reach official sites by typing the address yourself.'),
    },
  },
  {
    key: 'information-save-documents',
    area: 'information',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t('Маңызды құжаттардың сканерлерін қалай сақтаған дұрыс?', 'Как лучше хранить сканы важных документов?', 'How is it best to keep scans of important documents?'),
      options: [
        t('Атауы түсінікті қалтада және резервтік көшірмесімен', 'В папке с понятным названием и с резервной копией', 'In a clearly named folder, with a backup copy'),
        t('Тек мессенджердегі чатта', 'Только в чате мессенджера', 'Only in a messenger chat'),
        t('Жұмыс үстелінде атаусыз файлдар ретінде', 'Файлами без названия на рабочем столе', 'As unnamed files on the desktop'),
      ],
    },
    solution: {
      type: 'single',
      correct: 0,
      explanation: t('Тәртіп пен резервтік көшірме файлды табуға және жоғалтпауға көмектеседі.', 'Порядок и резервная копия помогают найти файл и не потерять его.', 'Order and a backup help you find a file and not lose it.'),
    },
  },
  {
    key: 'information-registry-check',
    area: 'information',
    type: 'single',
    difficulty: 3,
    content: {
      prompt: t(
        'Микроқаржы ұйымының лицензиясы бар-жоғын қайдан тексеруге болады?',
        'Где проверить, есть ли у микрофинансовой организации лицензия?',
        'Where can you check whether a microfinance organization is licensed?',
      ),
      options: [
        t('Ұйымның өз жарнамасынан', 'В рекламе самой организации', 'In the organization\'s own advert'),
        t('АРРФР тізілімінде (finreg.kz)', 'В реестре АРРФР (finreg.kz)', 'In the ARDFM register (finreg.kz)'),
        t('Форумдағы пікірлерден', 'В отзывах на форуме', 'In forum reviews'),
      ],
    },
    solution: {
      type: 'single',
      correct: 1,
      explanation: t('Қаржы нарығын реттеу агенттігінің тізілімі — ресми дереккөз.', 'Реестр Агентства по регулированию финансового рынка — официальный источник.', 'The financial market regulator\'s register is the official source.'),
    },
  },
  {
    key: 'information-personal-data',
    area: 'information',
    type: 'multiple',
    difficulty: 1,
    content: {
      prompt: t('Қайсысы — дербес деректер? Барлығын таңдаңыз.', 'Что из этого — персональные данные? Выберите всё.', 'Which of these are personal data? Choose all.'),
      options: [
        t('ЖСН', 'ИИН', 'IIN'),
        t('Үй мекенжайы', 'Домашний адрес', 'Home address'),
        t('Ауа райы болжамы', 'Прогноз погоды', 'The weather forecast'),
        t('Жеке куәліктің нөмірі', 'Номер удостоверения личности', 'ID card number'),
      ],
    },
    solution: {
      type: 'multiple',
      correct: [0, 1, 3],
      explanation: t('Адамды анықтайтын кез келген мәлімет — дербес дерек.', 'Любые сведения, по которым можно определить человека, — персональные данные.', 'Anything that identifies a person is personal data.'),
    },
  },

  // ── Communication and collaboration ───────────────────────────────────────────────
  {
    key: 'communication-send-photo',
    area: 'communication',
    type: 'ordering',
    difficulty: 1,
    content: {
      prompt: t('Немереңізге мессенджерде фото жіберу қадамдарын ретімен қойыңыз.', 'Расставьте по порядку шаги, чтобы отправить внуку фото в мессенджере.', 'Put in order the steps to send your grandchild a photo in a messenger.'),
      options: [
        t('«Жіберу» түймесін басу', 'Нажать «Отправить»', 'Tap "Send"'),
        t('Немереңіздің чатын ашу', 'Открыть чат с внуком', 'Open the chat with your grandchild'),
        t('Фотоны таңдау', 'Выбрать фото', 'Choose the photo'),
        t('Қыстырғыш (тіркеу) белгішесін басу', 'Нажать на скрепку (прикрепить)', 'Tap the paperclip (attach) icon'),
      ],
    },
    solution: {
      type: 'ordering',
      order: [1, 3, 2, 0],
      explanation: t('Чат → тіркеу → фото → жіберу.', 'Чат → прикрепить → фото → отправить.', 'Chat → attach → photo → send.'),
    },
  },
  {
    key: 'communication-harassment',
    area: 'communication',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t('Біреу сізге чатта қорлайтын хабарламалар жазады. Не істеген дұрыс?', 'Кто-то пишет вам в чате оскорбления. Как лучше поступить?', 'Someone sends you insulting messages in a chat. What is best?'),
      options: [
        t('Скриншот сақтап, бұғаттап, платформаға шағымдану', 'Сохранить скриншоты, заблокировать и пожаловаться платформе', 'Keep screenshots, block, and report to the platform'),
        t('Дәл солай жауап беру', 'Ответить тем же', 'Answer in kind'),
        t('Телефонды лақтыру', 'Выбросить телефон', 'Throw away the phone'),
      ],
    },
    solution: {
      type: 'single',
      correct: 0,
      explanation: t('Дәлелді сақтаңыз — ол шағым немесе полицияға арыз үшін керек.', 'Сохраните доказательства — они нужны для жалобы или заявления в полицию.', 'Keep the evidence: you need it to report to the platform or the police.'),
    },
  },
  {
    key: 'communication-forwarded-label',
    area: 'communication',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t('Хабарламада «Бірнеше рет қайта жіберілген» белгісі тұр. Бұл нені білдіреді?', 'На сообщении пометка «Пересылалось много раз». Что это значит?', 'A message is labelled "Forwarded many times". What does that mean?'),
      options: [
        t('Оны жіберуші өзі жазбаған, авторы белгісіз', 'Его написал не отправитель, автор неизвестен', 'The sender did not write it; its author is unknown'),
        t('Бұл ресми хабарлама', 'Это официальное сообщение', 'It is an official message'),
        t('Ол міндетті түрде шын', 'Оно обязательно правдиво', 'It is surely true'),
      ],
    },
    solution: {
      type: 'single',
      correct: 0,
      explanation: t('Көп тарату — шындықтың дәлелі емес.', 'Частая пересылка — не доказательство правды.', 'Being forwarded often is no proof of truth.'),
    },
  },
  {
    key: 'communication-public-profile',
    area: 'communication',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t('Ашық профильдегі жазбаны кім көре алады?', 'Кто видит запись в открытом профиле?', 'Who can see a post on an open (public) profile?'),
      options: [
        t('Тек достарым', 'Только мои друзья', 'Only my friends'),
        t('Интернеттегі кез келген адам, алаяқтар да', 'Любой человек в интернете, включая мошенников', 'Anyone on the internet, fraudsters included'),
        t('Тек отбасым', 'Только моя семья', 'Only my family'),
      ],
    },
    solution: {
      type: 'single',
      correct: 1,
      explanation: t('Алаяқтар «туыстың» атынан жазу үшін ашық профильдерден ақпарат жинайды.', 'Мошенники собирают сведения из открытых профилей, чтобы писать «от родственника».', 'Fraudsters harvest open profiles to write "as a relative".'),
    },
  },
  {
    key: 'communication-video-call',
    area: 'communication',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t(
        'Дәрігер бейнеқоңырауға сілтеме жіберді. Қосылардың алдында не тексересіз?',
        'Врач прислал ссылку на видеозвонок. Что проверить перед подключением?',
        'Your doctor sent a link to a video call. What do you check before joining?',
      ),
      options: [
        t('Сілтеме емхананың ресми нөмірінен немесе қосымшасынан келгенін', 'Что ссылка пришла с официального номера или из приложения клиники', 'That the link came from the clinic\'s official number or app'),
        t('Ештеңе, бірден басамын', 'Ничего, сразу нажму', 'Nothing, I tap it at once'),
        t('Карта деректерін алдын ала енгізу керектігін', 'Что нужно заранее ввести данные карты', 'That I must enter my card details first'),
      ],
    },
    solution: {
      type: 'single',
      correct: 0,
      explanation: t('Бейнеқоңырауға қосылу үшін карта деректері қажет емес.', 'Для видеозвонка данные карты не нужны.', 'A video call never needs your card details.'),
    },
  },

  // ── Digital content creation ──────────────────────────────────────────────────────
  {
    key: 'content-pdf-format',
    area: 'content_creation',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t('Құжатты оңай өзгертілмейтіндей етіп жіберу үшін қай форматты таңдайсыз?', 'В каком формате отправить документ, чтобы его нельзя было легко изменить?', 'Which format do you choose so a document cannot easily be changed?'),
      options: [t('PDF', 'PDF', 'PDF'), t('Мәтінді хабарламаға көшіру', 'Скопировать текст в сообщение', 'Paste the text into a message'), t('DOCX', 'DOCX', 'DOCX')],
    },
    solution: { type: 'single', correct: 0, explanation: t('PDF барлық құрылғыда бірдей көрінеді.', 'PDF выглядит одинаково на всех устройствах.', 'A PDF looks the same on every device.') },
  },
  {
    key: 'content-photo-copyright',
    area: 'content_creation',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t('Дүкеніңіздің жарнамасына интернеттен тапқан фотоны қоюға бола ма?', 'Можно ли взять фото из интернета для рекламы своего магазина?', 'May you use a photo found online in an advert for your shop?'),
      options: [
        t('Иә, интернетте бәрі тегін', 'Да, в интернете всё бесплатно', 'Yes, everything online is free'),
        t('Тек авторының рұқсатымен немесе лицензиясы рұқсат етсе', 'Только с разрешения автора или если лицензия это позволяет', 'Only with the author\'s permission or a licence that allows it'),
        t('Иә, егер фотоны кішірейтсем', 'Да, если уменьшить фото', 'Yes, if I make it smaller'),
      ],
    },
    solution: { type: 'single', correct: 1, explanation: t('Фотоның авторлық құқығы бар.', 'У фотографии есть авторское право.', 'A photo is protected by copyright.') },
  },
  {
    key: 'content-create-and-send',
    area: 'content_creation',
    type: 'ordering',
    difficulty: 1,
    content: {
      prompt: t('Өтініш жазып, оны электрондық поштамен жіберу қадамдарын ретімен қойыңыз.', 'Расставьте по порядку шаги: написать заявление и отправить его по электронной почте.', 'Put in order: write an application and send it by e-mail.'),
      options: [
        t('Файлды хатқа тіркеп жіберу', 'Прикрепить файл к письму и отправить', 'Attach the file to an e-mail and send it'),
        t('Мәтін редакторын ашып, мәтінді жазу', 'Открыть текстовый редактор и написать текст', 'Open a text editor and write the text'),
        t('Файлды түсінікті атаумен сақтау', 'Сохранить файл с понятным названием', 'Save the file under a clear name'),
      ],
    },
    solution: { type: 'ordering', order: [1, 2, 0], explanation: t('Жазу → сақтау → тіркеу.', 'Написать → сохранить → прикрепить.', 'Write → save → attach.') },
  },
  {
    key: 'content-document-photo',
    area: 'content_creation',
    type: 'multiple',
    difficulty: 2,
    content: {
      prompt: t(
        'Құжаттың фотосын әлеуметтік желіге салмас бұрын нені жасыру керек? Барлығын таңдаңыз.',
        'Что нужно скрыть на фото документа, прежде чем выложить его в соцсеть? Выберите всё.',
        'What must you hide on a photo of a document before posting it? Choose all.',
      ),
      options: [t('ЖСН', 'ИИН', 'IIN'), t('Құжат нөмірі', 'Номер документа', 'Document number'), t('Штрихкод немесе QR-код', 'Штрихкод или QR-код', 'Barcode or QR code'), t('Құжаттың түсі', 'Цвет документа', 'The document\'s colour')],
    },
    solution: {
      type: 'multiple',
      correct: [0, 1, 2],
      explanation: t('Бұл деректермен алаяқ сіздің атыңыздан несие ала алады.', 'С этими данными мошенник может оформить кредит на ваше имя.', 'With these a fraudster can take a loan in your name.'),
    },
  },
  {
    key: 'content-spreadsheet-sum',
    area: 'content_creation',
    type: 'single',
    difficulty: 3,
    content: {
      prompt: t('Кестеде B2-ден B10-ға дейінгі шығындардың сомасын қалай есептейсіз?', 'Как в таблице посчитать сумму расходов в ячейках с B2 по B10?', 'How do you total the expenses in cells B2 to B10 of a spreadsheet?'),
      options: [t('=SUM(B2:B10)', '=СУММ(B2:B10) / =SUM(B2:B10)', '=SUM(B2:B10)'), t('=B2+B10', '=B2+B10', '=B2+B10'), t('=COUNT(B2:B10)', '=СЧЁТ(B2:B10) / =COUNT(B2:B10)', '=COUNT(B2:B10)')],
    },
    solution: { type: 'single', correct: 0, explanation: t('SUM ауқымдағы барлық сандарды қосады.', 'SUM (СУММ) складывает все числа диапазона.', 'SUM adds every number in the range.') },
  },

  // ── Problem solving ───────────────────────────────────────────────────────────────
  {
    key: 'problem-storage-full',
    area: 'problem_solving',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t('Телефон «Жад толы» дейді. Не істеген дұрыс?', 'Телефон пишет «Память заполнена». Что лучше сделать?', 'Your phone says "Storage full". What is best?'),
      options: [
        t('Керексіз бейнелерді өшіру немесе бұлтқа көшіру', 'Удалить ненужные видео или перенести в облако', 'Delete unneeded videos or move them to the cloud'),
        t('Телефонды зауыттық баптауларға қайтару', 'Сбросить телефон до заводских настроек', 'Reset the phone to factory settings'),
        t('Бейтаныс «тазалағыш» қосымшасын орнату', 'Установить неизвестное приложение-«очиститель»', 'Install an unknown "cleaner" app'),
      ],
    },
    solution: { type: 'single', correct: 0, explanation: t('Бейне мен фото ең көп орын алады.', 'Больше всего места занимают видео и фото.', 'Videos and photos take the most space.') },
  },
  {
    key: 'problem-app-update',
    area: 'problem_solving',
    type: 'single',
    difficulty: 1,
    content: {
      prompt: t('Банк қосымшасын жаңарту керек. Қайдан жаңартасыз?', 'Нужно обновить приложение банка. Откуда обновлять?', 'Your bank app needs an update. Where do you get it?'),
      options: [
        t('Ресми дүкеннен (App Store, Google Play, AppGallery)', 'Из официального магазина (App Store, Google Play, AppGallery)', 'From the official store (App Store, Google Play, AppGallery)'),
        t('SMS-пен келген сілтемеден', 'По ссылке из SMS', 'From a link in an SMS'),
        t('Мессенджерде жіберілген APK файлынан', 'Из APK-файла, присланного в мессенджере', 'From an APK file sent in a messenger'),
      ],
    },
    solution: { type: 'single', correct: 0, explanation: t('SMS пен мессенджердегі файлдар вирус болуы мүмкін.', 'Файлы из SMS и мессенджеров могут оказаться вирусом.', 'Files from SMS and messengers may be malware.') },
  },
  {
    key: 'problem-home-internet',
    area: 'problem_solving',
    type: 'ordering',
    difficulty: 2,
    content: {
      prompt: t('Үйде интернет жоқ. Әрекеттерді дұрыс ретпен қойыңыз.', 'Дома не работает интернет. Расставьте действия по порядку.', 'The home internet is down. Put the steps in order.'),
      options: [
        t('Провайдерге ресми нөмірі бойынша қоңырау шалу', 'Позвонить провайдеру по официальному номеру', 'Call the provider on its official number'),
        t('Басқа құрылғыда интернет бар-жоғын тексеру', 'Проверить, есть ли интернет на другом устройстве', 'Check whether another device has internet'),
        t('Роутерді өшіріп-қосу', 'Перезагрузить роутер', 'Restart the router'),
      ],
    },
    solution: { type: 'ordering', order: [1, 2, 0], explanation: t('Алдымен ақаудың қайда екенін анықтаңыз.', 'Сначала выясните, где неисправность.', 'First find where the fault is.') },
  },
  {
    key: 'problem-forgot-egov-password',
    area: 'problem_solving',
    type: 'single',
    difficulty: 2,
    content: {
      prompt: t('eGov құпиясөзін ұмыттыңыз. Қалай қалпына келтіресіз?', 'Вы забыли пароль от eGov. Как восстановить?', 'You forgot your eGov password. How do you restore it?'),
      options: [
        t('egov.kz сайтындағы «Құпиясөзді ұмыттыңыз ба?» арқылы, ЭЦҚ немесе тіркелген нөмірге келген SMS-пен', 'Через «Забыли пароль?» на egov.kz — с ЭЦП или SMS на зарегистрированный номер', 'Through "Forgot password?" on egov.kz, with your e-signature or an SMS to your registered number'),
        t('Чаттағы «eGov көмекшісіне» ЖСН мен кодты жіберу', 'Отправить ИИН и код «помощнику eGov» в чате', 'Send your IIN and code to an "eGov helper" in a chat'),
        t('Көршіңіздің ЭЦҚ-сымен кіру', 'Войти с ЭЦП соседа', 'Sign in with a neighbour\'s e-signature'),
      ],
    },
    solution: { type: 'single', correct: 0, explanation: t('Тек ресми сайт арқылы.', 'Только через официальный сайт.', 'Only through the official site.') },
  },
  {
    key: 'problem-esign-expired',
    area: 'problem_solving',
    type: 'single',
    difficulty: 3,
    content: {
      prompt: t('ЭЦҚ мерзімі өтіп кетті. Жаңасын қалай алуға болады?', 'Срок ЭЦП истёк. Как получить новую?', 'Your e-signature has expired. How do you get a new one?'),
      options: [
        t('Ресми жолмен: ҰКО сайты (pki.gov.kz) немесе eGov арқылы не ХҚКО-да жеке куәлікпен', 'Официально: на сайте НУЦ (pki.gov.kz) или через eGov, либо в ЦОНе с удостоверением', 'Officially: on the national CA\'s site (pki.gov.kz) or through eGov, or at a public service centre with your ID'),
        t('Ескі файлды басқа атаумен сақтау', 'Сохранить старый файл под другим названием', 'Save the old file under another name'),
        t('Әріптестің ЭЦҚ-сын уақытша пайдалану', 'Временно пользоваться ЭЦП коллеги', 'Use a colleague\'s e-signature for a while'),
      ],
    },
    solution: { type: 'single', correct: 0, explanation: t('ЭЦҚ-ны тек куәландырушы орталық береді.', 'ЭЦП выдаёт только удостоверяющий центр.', 'Only a certification authority issues e-signatures.') },
  },
  {
    key: 'problem-lost-phone',
    area: 'problem_solving',
    type: 'ordering',
    difficulty: 3,
    content: {
      prompt: t('Телефоныңыз ұрланды. Әрекеттерді дұрыс ретпен қойыңыз.', 'У вас украли телефон. Расставьте действия по порядку.', 'Your phone was stolen. Put the steps in order.'),
      options: [
        t('Басқа телефоннан банкке хабарласып, карталар мен қосымшаны бұғаттау', 'С другого телефона позвонить в банк и заблокировать карты и приложение', 'From another phone, call the bank to block the cards and the app'),
        t('Ұялы байланыс операторына SIM-картаны бұғаттату', 'Заблокировать SIM-карту у оператора связи', 'Have the mobile operator block the SIM card'),
        t('Пошта мен eGov құпиясөздерін ауыстыру', 'Сменить пароли почты и eGov', 'Change the e-mail and eGov passwords'),
        t('Жеке куәлікпен SIM-картаны қалпына келтіру', 'Восстановить SIM-карту по удостоверению', 'Restore the SIM card with your ID'),
      ],
    },
    solution: {
      type: 'ordering',
      order: [1, 0, 2, 3],
      explanation: t('Алдымен SMS-кодтар келетін SIM-ді, содан кейін ақшаны жабыңыз.', 'Сначала закройте SIM, на которую приходят SMS-коды, затем деньги.', 'First stop the SIM that receives your SMS codes, then protect the money.'),
    },
  },
];
