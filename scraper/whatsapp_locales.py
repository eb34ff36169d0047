"""What WhatsApp writes in an exported chat, in the languages with the most users.

A phone writes its export in its own language: the 12-hour marks of its clock
("p. m.", "nachm.", "오후", "م"), and the placeholders that stand where media,
deleted messages and calls were ("<Multimedia omitido>", "Bild weggelassen").
The strings are WhatsApp's own (Android's in `<…>`, iOS's one per media kind)
as open-source chat parsers list them from its apps; a variant missing here, or
a language missing altogether, still imports, its placeholders kept as text.
Matching ignores case, dots, angle brackets and direction marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Locale:
    """One language's marks and placeholders."""

    am: tuple[str, ...] = ()  # 12-hour marks, written without spaces or dots
    pm: tuple[str, ...] = ()
    media: tuple[str, ...] = ()  # a whole message that stands for left-out media
    attached: tuple[str, ...] = ()  # iOS "<attached: FILE>", Android "FILE (…)"
    deleted: tuple[str, ...] = ()
    missed_calls: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()  # only when iOS marks the line as its own
    edited: tuple[str, ...] = ()  # what an edited message ends with, in <…>
    location: tuple[str, ...] = ()  # "location: https://maps…"
    encrypted: tuple[str, ...] = ()  # the notice that opens every chat
    chat_file: tuple[str, ...] = ()  # the export's file name before the chat's


LOCALES: dict[str, Locale] = {
    "en": Locale(
        am=("am", "a"), pm=("pm", "p"),
        media=("Media omitted", "image omitted", "video omitted", "audio omitted",
               "sticker omitted", "GIF omitted", "document omitted",
               "Contact card omitted", "video note omitted"),
        attached=("attached", "file attached"),
        deleted=("This message was deleted", "You deleted this message"),
        missed_calls=("Missed voice call", "Missed video call",
                      "Missed group voice call", "Missed group video call"),
        calls=("Voice call", "Video call", "Group voice call", "Group video call"),
        edited=("This message was edited",),
        location=("location", "live location shared"),
        encrypted=("Messages and calls are end-to-end encrypted",
                   "Messages to this group are now secured"),
        chat_file=("WhatsApp Chat with ", "WhatsApp Chat - "),
    ),
    "es": Locale(
        media=("Multimedia omitido", "Archivo omitido", "imagen omitida",
               "video omitido", "audio omitido", "sticker omitido", "GIF omitido",
               "documento omitido", "Tarjeta de contacto omitida"),
        attached=("adjunto", "archivo adjunto"),
        deleted=("Se eliminó este mensaje", "Este mensaje fue eliminado",
                 "Eliminaste este mensaje"),
        missed_calls=("Llamada perdida", "Llamada de voz perdida",
                      "Videollamada perdida"),
        calls=("Llamada de voz", "Videollamada"),
        edited=("Se editó este mensaje",),
        location=("ubicación",),
        encrypted=("Los mensajes y las llamadas están cifrados de extremo a extremo",),
        chat_file=("Chat de WhatsApp con ",),
    ),
    "pt": Locale(
        am=("damanhã", "damadrugada"), pm=("datarde", "danoite"),
        media=("Mídia oculta", "Arquivo de mídia oculto", "Mídia omitida",
               "ficheiro não revelado", "imagem ocultada", "vídeo omitido",
               "áudio ocultado", "figurinha omitida", "GIF omitido",
               "documento omitido"),
        attached=("anexado", "arquivo anexado", "ficheiro anexado"),
        deleted=("Mensagem apagada", "Esta mensagem foi apagada",
                 "Você apagou esta mensagem", "Apagaste esta mensagem"),
        missed_calls=("Chamada de voz perdida", "Chamada de vídeo perdida"),
        calls=("Chamada de voz", "Chamada de vídeo"),
        edited=("Mensagem editada",),
        location=("localização",),
        encrypted=("As mensagens e as chamadas são protegidas com a criptografia de "
                   "ponta a ponta",),
        chat_file=("Conversa do WhatsApp com ", "Conversa no WhatsApp com "),
    ),
    "de": Locale(
        am=("vorm",), pm=("nachm",),
        media=("Medien ausgeschlossen", "Medien weggelassen", "Bild weggelassen",
               "Video weggelassen", "Audio weggelassen", "Sticker weggelassen",
               "GIF weggelassen", "Dokument weggelassen", "Kontaktkarte ausgelassen"),
        attached=("Anhang", "Datei angehängt"),
        deleted=("Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht"),
        missed_calls=("Verpasster Sprachanruf", "Verpasster Videoanruf"),
        calls=("Sprachanruf", "Videoanruf"),
        edited=("Diese Nachricht wurde bearbeitet",),
        location=("Standort",),
        encrypted=("Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",),
        chat_file=("WhatsApp Chat mit ",),
    ),
    "fr": Locale(
        media=("Médias omis", "Fichier omis", "image absente", "vidéo absente",
               "audio omis", "sticker omis", "GIF retiré", "document omis",
               "carte de contact omise"),
        attached=("pièce jointe", "fichier joint"),
        deleted=("Ce message a été supprimé", "Vous avez supprimé ce message"),
        missed_calls=("Appel vocal manqué", "Appel vidéo manqué"),
        calls=("Appel vocal", "Appel vidéo"),
        edited=("Ce message a été modifié",),
        location=("position",),
        encrypted=("Les messages et les appels sont chiffrés de bout en bout",),
        chat_file=("Discussion WhatsApp avec ",),
    ),
    "it": Locale(
        media=("Media omessi", "Media omesso", "immagine omessa", "video omesso",
               "audio omesso", "sticker omesso", "GIF esclusa", "documento omesso",
               "scheda contatto omessa"),
        attached=("allegato", "file allegato"),
        deleted=("Questo messaggio è stato eliminato",
                 "Hai eliminato questo messaggio"),
        missed_calls=("Chiamata vocale persa", "Videochiamata persa"),
        calls=("Chiamata vocale", "Videochiamata"),
        edited=("Questo messaggio è stato modificato",),
        location=("posizione",),
        encrypted=("I messaggi e le chiamate sono crittografati end-to-end",),
        chat_file=("Chat WhatsApp con ",),
    ),
    "id": Locale(
        media=("Media tidak disertakan", "gambar tidak disertakan",
               "video tidak disertakan", "audio tidak disertakan",
               "stiker tidak disertakan", "GIF tidak disertakan",
               "dokumen tidak disertakan"),
        attached=("terlampir", "file terlampir"),
        deleted=("Pesan ini telah dihapus", "Anda menghapus pesan ini"),
        missed_calls=("Panggilan suara tak terjawab", "Panggilan video tak terjawab"),
        calls=("Panggilan suara", "Panggilan video"),
        edited=("Pesan ini telah diedit",),
        location=("lokasi",),
        encrypted=("Pesan dan panggilan terenkripsi secara end-to-end",),
        chat_file=("Chat WhatsApp dengan ",),
    ),
    "hi": Locale(
        am=("पूर्वाह्न",), pm=("अपराह्न",),
        media=("मीडिया के बिना",),
        attached=("फ़ाइल अटैच की गई",),
        deleted=("यह मैसेज हटा दिया गया था", "आपने यह मैसेज हटा दिया"),
        missed_calls=("मिस्ड वॉइस कॉल", "मिस्ड वीडियो कॉल"),
        edited=("यह मैसेज एडिट किया गया था",),
        encrypted=("मैसेज और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं",),
    ),
    "ar": Locale(
        am=("ص",), pm=("م",),
        media=("تم استبعاد الوسائط",),
        attached=("الملف مرفق",),
        deleted=("تم حذف هذه الرسالة", "لقد حذفت هذه الرسالة"),
        missed_calls=("مكالمة صوتية فائتة", "مكالمة فيديو فائتة"),
        edited=("تم تعديل هذه الرسالة",),
        location=("الموقع",),
        encrypted=("الرسائل والمكالمات مشفرة تمامًا",),
        chat_file=("دردشة واتساب مع ",),
    ),
    "ru": Locale(
        am=("дп",), pm=("пп",),
        media=("Без медиафайлов", "Файл пропущен", "изображение отсутствует",
               "видео отсутствует", "аудиофайл отсутствует", "стикер отсутствует",
               "GIF отсутствует", "документ отсутствует"),
        attached=("вложение", "файл добавлен"),
        deleted=("Данное сообщение удалено", "Это сообщение было удалено",
                 "Вы удалили данное сообщение", "Вы удалили это сообщение"),
        missed_calls=("Пропущенный аудиозвонок", "Пропущенный видеозвонок"),
        calls=("Аудиозвонок", "Видеозвонок"),
        edited=("Сообщение изменено",),
        location=("геопозиция",),
        encrypted=("Сообщения и звонки защищены сквозным шифрованием",),
        chat_file=("Чат WhatsApp с ",),
    ),
    "tr": Locale(
        am=("öö",), pm=("ös",),
        media=("Medya dahil edilmedi", "Medya atlanmış", "görüntü dahil edilmedi",
               "video dahil edilmedi", "ses dahil edilmedi",
               "çıkartma dahil edilmedi", "GIF dahil edilmedi",
               "belge dahil edilmedi"),
        attached=("dosya ekli",),
        deleted=("Bu mesaj silindi", "Bu mesajı sildiniz"),
        missed_calls=("Cevapsız sesli arama", "Cevapsız görüntülü arama"),
        calls=("Sesli arama", "Görüntülü arama"),
        edited=("Bu mesaj düzenlendi",),
        location=("konum",),
        encrypted=("Mesajlar ve aramalar uçtan uca şifrelidir",),
    ),
    "ja": Locale(
        am=("午前",), pm=("午後",),
        media=("メディアなし", "メディアは含まれていません", "画像は含まれていません",
               "動画は含まれていません", "音声は含まれていません",
               "スタンプは含まれていません", "GIFは含まれていません"),
        attached=("添付",),
        deleted=("このメッセージは削除されました", "メッセージを削除しました"),
        missed_calls=("不在着信（音声）", "不在着信（ビデオ）"),
        edited=("このメッセージは編集されました",),
        encrypted=("メッセージと通話はエンドツーエンドで暗号化されています",),
    ),
    "ko": Locale(
        am=("오전",), pm=("오후",),
        media=("미디어 파일 제외됨", "미디어 파일을 생략한 대화내용", "미디어 없음",
               "사진 생략", "동영상 생략", "오디오 생략", "스티커 생략"),
        attached=("첨부",),
        deleted=("삭제된 메시지입니다", "메시지를 삭제했습니다"),
        missed_calls=("부재중 음성 통화", "부재중 영상 통화"),
        edited=("수정된 메시지입니다",),
        encrypted=("메시지와 통화는 종단간 암호화로 보호됩니다",),
    ),
    "zh": Locale(
        # iOS in Chinese names the part of the day, not only the half.
        am=("上午", "凌晨", "早上"), pm=("下午", "中午", "晚上"),
        media=("忽略多媒體檔", "省略多媒体文件", "省略影音內容", "图片已省略",
               "视频已省略", "音频已省略", "贴图已省略"),
        attached=("附件",),
        deleted=("此消息已删除", "你删除了此消息", "此訊息已刪除", "你已刪除此訊息"),
        missed_calls=("未接语音通话", "未接视频通话", "未接語音通話", "未接視訊通話"),
        edited=("此消息已编辑",),
        encrypted=("消息和通话都进行端到端加密", "訊息和通話已受端對端加密保護"),
    ),
}  # fmt: skip


def _either(texts: set[str]) -> str:
    return "|".join(re.escape(text) for text in sorted(texts, key=len, reverse=True))


def _all(field: str) -> set[str]:
    return {text for locale in LOCALES.values() for text in getattr(locale, field)}


def _keys(field: str) -> frozenset[str]:
    return frozenset(_key(text) for text in _all(field))


def _key(text: str) -> str:
    """How a placeholder is looked up: case, dots and angle brackets aside."""
    return text.casefold().strip(" .<>")


AM = frozenset(mark.lower() for mark in _all("am"))
PM = frozenset(mark.lower() for mark in _all("pm"))
ENCRYPTED = tuple(_all("encrypted"))
CHAT_FILE = re.compile(rf"^(?:{_either(_all('chat_file'))})", re.IGNORECASE)
_MEDIA = _keys("media") | {"null"}  # "null": a view-once photo
_DELETED = _keys("deleted")
_MISSED_CALLS = _keys("missed_calls")
_CALLS = _keys("calls")
_ATTACHED = _either(_all("attached"))
# Placeholders that carry a file name or a link: only these need a pattern.
_ATTACHED_TAG = re.compile(rf"<(?:{_ATTACHED}): ?[^>]*>", re.IGNORECASE)
_FILE_ATTACHED = re.compile(rf".* \((?:{_ATTACHED})\)", re.IGNORECASE)
_LOCATION = re.compile(
    rf"(?:{_either(_all('location'))}): ?https?://\S+", re.IGNORECASE
)
_EDITED = re.compile(
    rf"[\s\u200e\u200f]*<(?:{_either(_all('edited'))})\.?>$", re.IGNORECASE
)


def placeholder(text: str, marked: bool) -> str | None:
    """What a message's first line stands for: 'unsent', 'call', 'media' or None.

    `marked`: iOS put its mark before the line, as it does for its own notices
    (a plain "Video call" is then a call, not somebody's words).
    """
    key = _key(text)
    if key in _DELETED:
        return "unsent"
    call = key.partition(",")[0]  # "Missed voice call, 12 sec"
    if call in _MISSED_CALLS or (marked and call in _CALLS):
        return "call"
    if key in _MEDIA:
        return "media"
    if text.endswith(">") and _ATTACHED_TAG.fullmatch(text):
        return "media"
    if text.endswith(")") and _FILE_ATTACHED.fullmatch(text):
        return "media"
    if "://" in text and _LOCATION.fullmatch(text):
        return "media"
    return None


def unedited(text: str) -> str:
    """The text without the mark WhatsApp appends to an edited message."""
    return _EDITED.sub("", text) if text.endswith(">") else text
