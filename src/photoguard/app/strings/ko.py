"""The app's Korean: every message template, by key (the keys and placeholders match :mod:`.en`).

Plain polite sentences (합니다체) for people whose photos were misused: the same facts and numbers
as the English, not a word-for-word translation. No Latin-script words but file names and
"JPEG"/"PNG": the product is 포토가드, PSNR is 픽셀 차이 in 데시벨, model names are left out
(:data:`photoguard.app.strings.KO_LEAVES_OUT`).
"""

KO: dict[str, str] = {
    # the page
    "title": "# 포토가드: 올리기 전에 셀카를 보호하세요",
    "intro": (
        "사진 속 모든 얼굴에 보호막을 입혀, 얼굴 합성(딥페이크) 봇과 얼굴 인식 프로그램이 다른 사람으로 "
        "보도록 만듭니다. 촬영 위치, 휴대폰 일련번호 같은 숨은 정보도 함께 지웁니다."
    ),
    "language": "언어",
    "privacy": (
        "사진은 이 앱이 실행 중인 컴퓨터에서만 처리되며, 이 페이지를 닫거나 {keep}이 지나면 "
        "삭제됩니다. 지금 바로 지우려면:"
    ),
    "keep.hour": "1시간",
    "keep.hours": "{n}시간",
    "delete": "내 사진 지금 삭제",
    "deleted": "**삭제했습니다.** 올린 사진과 미리보기, 보호된 파일을 이 앱이 실행 중인 컴퓨터에서 모두 지웠습니다.",
    "choose": "사진 선택",
    "chosen.none": "아직 선택한 사진이 없습니다 (JPEG, PNG, 아이폰 사진 등, 여러 장 가능).",
    "chosen": "선택한 사진 {n}장",
    "chosen.thumb": "선택한 사진 {name}",
    "strength": "보호 강도",
    "strength.info": (
        "‘보통’을 권합니다. ‘가볍게’는 가장 눈에 덜 띄지만 보호가 훨씬 약합니다(시험에서 3명 중 1명꼴). "
        "‘빠르게’는 몇 초면 끝나지만 보호가 약하고, ‘강하게’는 보호가 가장 강하지만 "
        "얼굴을 더 많이 바꿉니다. ‘숨은 정보만 삭제’는 얼굴을 그대로 둡니다."
    ),
    "strength.fast": "빠르게",
    "strength.medium": "보통 (권장)",
    "strength.light": "가볍게 (가장 눈에 덜 띔)",
    "strength.strong": "강하게",
    "strength.metadata only": "숨은 정보만 삭제",
    "advanced": "고급 설정",
    "edits": "인공지능 편집 대비 무늬도 추가 (실험 기능)",
    "edits.info": (
        "작은 인공지능 모델 하나가 사진을 조금 덜 정확하게 재현하게 할 뿐이며(그 모델에서만 측정), "
        "편집 앱이 사진을 바꾸는 것을 막아 주지는 못합니다."
    ),
    "stage.adding the edit defence": "인공지능 편집 대비 무늬를 더하는 중",
    "preset.fast": "빠르게",
    "preset.medium": "보통",
    "preset.light": "가볍게",
    "preset.strong": "강하게",
    "protect": "사진 보호하기",
    "idle": "사진을 선택한 뒤 **사진 보호하기**를 누르세요. 결과는 여기에 나옵니다.",
    "no_photo": "먼저 사진을 선택한 뒤 **사진 보호하기**를 눌러 주세요.",
    "download.one": "보호된 사진 받기 ({name})",
    "download.cloaked": "보호막을 입힌 사진 받기 ({name})",
    "download.clean": "숨은 정보를 지운 사진 받기 ({name})",
    "download.zip": "사진 {n}장을 압축 파일 하나로 받기 (컴퓨터용)",
    "download.card": "이 사진 받기",
    "offline": (
        "이 앱이 실행 중인 컴퓨터에서 앱이 멈췄고, 사진도 그 컴퓨터에서 지워져 더 받을 수 있는 파일이 "
        "없습니다. 사진을 보호하려면 앱을 다시 시작하세요."
    ),
    "details": "자세한 결과",
    # progress
    "progress.one": "{name}: {stage}",
    "progress.many": "사진 {n}장 중 {i}번째, {name}: {stage}",
    "left.s": "약 {n}초 남음",
    "left.min": "약 {n}분 남음",
    "stage.start": "시작하는 중",
    "stage.reading": "사진을 읽는 중",
    "stage.detecting faces": "얼굴을 찾는 중",
    "stage.loading the face models": "얼굴 모델을 불러오는 중 (처음에는 시간이 조금 걸립니다)",
    "stage.cloaking": "얼굴 {n}개에 보호막을 입히는 중",
    "stage.step": "보호막을 입히는 중: 얼굴 {n}개 중 {i}번째, {steps}단계 중 {s}단계",
    "stage.verifying": "보호 효과를 확인하는 중",
    "stage.writing": "보호된 사진을 저장하는 중",
    "stage.done": "마무리하는 중",
    "stage.making previews": "미리보기를 만드는 중",
    "stage.removing hidden data": "숨은 정보를 지우는 중",
    # verdicts
    "verdict.protected": "보호됨",
    "verdict.partly": "일부만 보호됨 (얼굴 {total}개 중 {safe}개)",
    "verdict.not protected": "보호되지 않음",
    "verdict.try strong": "보호되지 않음 (‘강하게’로 다시 해 보세요)",
    "verdict.not checked": "확인하지 못함",
    "verdict.too small": "얼굴이 너무 작아 보호하지 못함",
    "verdict.no face": "얼굴 없음",
    "verdict.metadata": "숨은 정보만 삭제함",
    "verdict.error": "처리하지 못함",
    # one sentence under each verdict
    "why.protected": "보호막을 만들 때 쓰지 않은 얼굴 인식 모델로 확인한 결과, 이제 다른 사람으로 봅니다.",
    "why.recognised": "얼굴 인식 모델이 아직 같은 사람으로 알아봅니다 — **‘강하게’**를 선택해 보세요.",
    "why.recognised strong": (
        "**‘강하게’**로도 부족했습니다. 얼굴 인식 모델이 아직 같은 사람으로 알아봅니다. "
        "이 사진은 올리지 않는 편이 안전합니다."
    ),
    "why.too small": (
        "얼굴 크기가 {px}픽셀로, 보호막을 입힐 수 있는 최소 크기({min}픽셀)보다 작습니다. 강도를 높여도 "
        "마찬가지입니다. 얼굴은 그대로 두고 숨은 정보만 지웠습니다. 얼굴이 더 크게 나온 사진은 보호할 수 있습니다."
    ),
    "why.partly": "얼굴 {total}개 중 {safe}개만 보호됐습니다. 아래 자세한 결과를 확인하세요.",
    "why.not checked": (
        "보호막은 입혔지만, 확인할 때 얼굴을 다시 찾지 못해 효과를 확인하지 못했습니다. 보호됐다고 단정할 수 없습니다."
    ),
    "why.no face": "사진에서 얼굴을 찾지 못해 보호막은 입히지 않았고, 숨은 정보만 지웠습니다.",
    "why.metadata": "얼굴에는 보호막을 입히지 않았습니다. 사진은 그대로 두고 숨은 정보만 지웠습니다.",
    # what the verdict does not cover
    "coverage": (
        "이 결과는 모델 하나로 확인한 것입니다. 다른 얼굴 인식 모델, 이미 공개된 내 다른 사진(얼굴 합성 "
        "도구는 그 사진에서 얼굴을 가져갈 수 있습니다), 얼굴은 그대로 두고 몸을 바꾸는 편집 앱까지 막아 "
        "준다는 뜻은 아닙니다."
    ),
    "sure.title": "얼마나 확실한가요?",
    "sure.body": (
        "‘{preset}’ 강도를 {people}명의 사진으로 시험했습니다. 얼굴 인식 모델 세 개 중 하나씩을 보호막을 "
        "만들 때 빼서, 보호막이 처음 보는 모델 대신으로 삼았습니다. 뺀 모델이 더 이상 같은 사람으로 "
        "알아보지 못한 비율은 모델과 올리는 방식(그대로, 다시 압축, 크기 줄임)에 따라 {ranges}였습니다. "
        "{people}장 중 {low}–{high}장은 이 확인이 ‘보호됨’이라고 했는데도 뺀 모델은 같은 사람으로 "
        "알아봤습니다. ‘빠르게’와 ‘강하게’는 이렇게 시험하지 않았습니다."
    ),
    "sure.range": "{low}–{high}%",
    "sure.and": "{first}, {last}",
    # how visible the cloak is, only where it was measured
    "visibility.hard to see": (
        "보호막은 알아보기 어렵습니다. 사람의 시각을 본뜬 모델로 원본과 100% 크기에서 비교해 측정했습니다."
    ),
    "visibility.visible on close inspection": (
        "보호막은 자세히 보면 보입니다. 100% 크기로 원본과 나란히 놓고 자세히 보면 알아볼 수 있습니다. "
        "올리기 전에 아래에서 비교해 보세요."
    ),
    "visibility.visible": (
        "보호막이 눈에 보입니다. 100% 크기에서 얼굴이 달라진 것을 알아볼 수 있습니다. 올리기 전에 아래에서 비교해 보세요."
    ),
    "visibility.line": "**눈에 띄는 정도:** {words} (10점 중 {jod}점, 사람의 시각을 본뜬 모델로 측정).",
    "visibility.words.hard to see": "알아보기 어려움",
    "visibility.words.visible on close inspection": "자세히 보면 보임",
    "visibility.words.visible": "눈에 보임",
    # the report
    "report.heading": "### {mark} {headline}: {name} ({strength})",
    "report.heading.plain": "### {mark} {headline}: {name}",
    "faces.none": "**얼굴:** 얼굴을 찾지 못해 보호막을 입히지 않았습니다. 사진은 그대로이고, 숨은 정보만 지웠습니다.",
    "faces.none.edits": "**얼굴:** 얼굴을 찾지 못해 보호막을 입히지 않았습니다.",
    "edits.added": (
        "**인공지능 편집 대비 무늬:** 사진 전체에 더했습니다 (사진 전체 픽셀 차이 {psnr}데시벨). 작은 인공지능 모델 하나가 "
        "사진을 조금 덜 정확하게 재현하게 하며, 다른 편집 모델에서는 측정하지 않았고 편집을 막아 주지는 못합니다."
    ),
    "faces.count": "**얼굴:** {found}개 찾음, {cloaked}개에 보호막을 입힘, {safe}개 보호 확인.",
    "faces.metadata": "**얼굴:** 보호막을 입히지 않았습니다 (‘숨은 정보만 삭제’를 선택했습니다).",
    "face.label": "얼굴 {n}",
    "face.not cloaked": "⚠️ 보호하지 못함 ({reason}).",
    "reason.too small": "얼굴이 너무 작습니다: {px}픽셀 (최소 {min}픽셀)",
    "reason.unknown": "이유를 알 수 없음",
    "check.lost": (
        "⚠️ 확인하지 못함: 보호막을 입힌 뒤 얼굴 검출기가 이 얼굴을 다시 찾지 못해 보호 효과를 확인할 수 "
        "없었습니다. 다른 검출기는 이 얼굴을 찾을 수도 있습니다."
    ),
    "check.numbers": (
        "유사도 {sim} (보호 전 1.00). {limit} 이상이면 같은 사람으로 보며, 이 기준에는 안전 여유가 "
        "포함되어 있습니다 (보호막을 만들 때 쓰지 않은 모델로 확인)"
    ),
    "check.any model": "얼굴 인식 모델",
    "check.safe": "✅ 얼굴 인식 모델이 이제 다른 사람으로 봅니다: {numbers}.",
    "check.recognised": "⚠️ 얼굴 인식 모델이 아직 같은 사람으로 알아봅니다 — **‘강하게’**를 선택해 보세요: {numbers}.",
    "check.recognised strong": "⚠️ 가장 강한 설정에서도 얼굴 인식 모델이 아직 같은 사람으로 알아봅니다: {numbers}.",
    "quality.unchanged": "**픽셀:** 바뀌지 않았습니다.",
    "quality": (
        "**픽셀 차이:** 사진 전체 {psnr}데시벨{face} (높을수록 원본에 가깝습니다. 바뀐 픽셀을 세는 값이며, "
        "사람 눈에 어떻게 보이는지를 재는 값은 아닙니다)."
    ),
    "quality.face": ", 얼굴 주변 {psnr}데시벨",
    "hidden.unread": "**숨은 정보:** 원본의 숨은 정보를 읽지 못했지만, 보호된 파일에는 숨은 정보가 없습니다.",
    "hidden.none": "**숨은 정보:** 없습니다 (위치, 기기, 날짜, 이름 없음). 깨끗한 파일입니다.",
    "hidden.removed": "**지운 숨은 정보:**",
    "pixels.same": "**픽셀:** 바뀌지 않았습니다. 원본 그대로 복사했습니다.",
    "pixels.other": "**픽셀:** 다시 저장했습니다.",
    "download.line": "**받기:** `{name}` — 이 앱이 저장한 파일 그대로입니다 (미리보기는 보기용입니다).",
    "error.line": "❌ {message}",
    # metadata findings, by kind ({value} is kept as found)
    "finding.location": "촬영 위치: {value} (사진을 찍은 곳)",
    "finding.gps": "촬영 위치 정보 (사진을 찍은 곳)",
    "finding.thumbnail": "사진 안에 숨은 작은 미리보기 사본{value}",
    "finding.uncropped": "자르기 전 원본이 보일 수 있음",
    "finding.serial": "휴대폰·카메라 일련번호: {value}",
    "finding.maker": "휴대폰·카메라 제조사: {value}",
    "finding.device": "휴대폰·카메라 모델: {value}",
    "finding.lens maker": "렌즈 제조사: {value}",
    "finding.lens": "렌즈: {value}",
    "finding.date": "찍은 날짜와 시각: {value}",
    "finding.place": "장소 이름: {value}",
    "finding.id": "사진 고유 번호: {value}",
    "finding.software": "편집 프로그램: {value}",
    "finding.computer": "컴퓨터 이름: {value}",
    "finding.owner": "소유자 이름: {value}",
    "finding.author": "작성자: {value}",
    "finding.motion": "움직이는 사진(모션 포토) 표시",
    "finding.motion video": "움직이는 사진(모션 포토)의 짧은 동영상 ({value})",
    "finding.altitude": "촬영 고도: {value}미터",
    "finding.maker notes": "카메라 제조사 기록 ({value}), 일련번호가 들어 있는 경우가 많음",
    "finding.artist": "작가 이름: {value}",
    "finding.creator": "만든 사람 이름: {value}",
    "finding.copyright": "저작권: {value}",
    "finding.text": "글 ({where}): {value}",
    "finding.ai": "인공지능 생성 명령어·설정 ({where}): {value}",
    # errors
    "error.too large": "사진이 너무 커서 처리할 수 없습니다. 크기를 줄여 다시 시도해 주세요.",
    "error.corrupt": "파일이 손상되었거나 일부만 있어 열 수 없습니다. 사진을 다시 저장하거나 내보낸 뒤 시도해 주세요.",
    "error.unsupported": "이 앱이 읽을 수 있는 사진이 아닙니다. JPEG, PNG, 아이폰 사진 등을 올려 주세요.",
    "error.models": "이 앱이 실행 중인 컴퓨터에 얼굴 모델이 없거나 손상되었습니다. 자세한 내용은 그 컴퓨터의 기록(로그)에 있습니다.",
    "error.other": "이 사진을 처리하지 못했습니다. 자세한 내용은 이 앱이 실행 중인 컴퓨터의 기록(로그)에 있습니다.",
    "error.missing": "이 사진은 이미 삭제되어 이 앱이 실행 중인 컴퓨터에 없습니다. 사진을 다시 선택해 주세요.",
    "error.unexpected": (
        "예상하지 못한 문제가 생겨 이 사진은 저장하지 않았습니다. 자세한 내용은 이 앱이 "
        "실행 중인 컴퓨터의 기록(로그)에 남겼습니다."
    ),
    "error.none": "사진을 하나도 처리하지 못했습니다. 자세한 결과를 확인하세요.",
    # the 100 % comparison
    "view.heading": "100% 크기로 비교하기",
    "view.face": "{name}, 얼굴 {n}",
    "view.hint": (
        "100%는 사진을 원래 크기로 보여 줍니다. 사진을 길게 누르거나 ‘원본 보기’를 켜면 같은 자리에서 "
        "원본을 볼 수 있습니다."
    ),
    "view.toggle": "원본 보기",
    "view.zoom": "확대",
    "view.original": "원본",
    "view.protected": "보호된 사진",
    "view.cloaked": "보호막 입힘",
    "view.alt": "{name}, 얼굴 {n}, {side}, {w} × {h}픽셀",
    "view.region": "{name}, 얼굴 {n}: {side}. 길게 누르면 원본",
    "view.diff": "보호막이 바꾼 부분을 {gain}배로 키워 보기 (회색: 바뀌지 않음)",
    "view.diff.alt": "{name}, 얼굴 {n}: 보호막이 바꾼 부분을 {gain}배로 키운 이미지, 회색은 바뀌지 않은 부분",
}
