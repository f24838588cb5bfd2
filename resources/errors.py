"""Messages of the resource services' refusals (tests reuse them)."""

from django.utils.translation import gettext_lazy as _

NOT_ALLOWED = _("You are not allowed to do that.")
FILE_TOO_LARGE = _("The file is too large. Files can be at most %(limit)s.")
FILE_EMPTY = _("The file is empty. Choose another file.")
FILE_TYPE_NOT_ALLOWED = _(
    "This kind of file cannot be shared. Use PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, WebP, GIF or plain text."
)
FILE_CONTENT_MISMATCH = _("The file's contents do not match its name. Save it again as %(kind)s and try once more.")
FILE_ACTIVE_CONTENT = _("The file contains web page code or scripts, so it cannot be shared.")
FILE_BROKEN = _("The file could not be read. It may be damaged. Save it again and try once more.")
PDF_ACTIVE_CONTENT = _(
    "The PDF file contains scripts, automatic actions, attached files or forms that send data, so it cannot "
    'be shared. Print it to a new PDF ("Microsoft Print to PDF" or "Save as PDF") and try once more.'
)
PDF_TOO_COMPLEX = _(
    'The PDF file is too complicated to check. Print it to a new PDF ("Microsoft Print to PDF" or '
    '"Save as PDF") and try once more.'
)
PDF_ENCRYPTED = _(
    "The PDF file is locked with a password or protection, so it cannot be checked. Save or print it "
    "again without protection and try once more."
)
IMAGE_TOO_LARGE = _("The picture is too large. Make it smaller than %(megapixels)s megapixels and try again.")
CONSENT_NEEDED = _("People who can be recognised must have agreed before you share the material.")
CIRCLE_NEEDED = _("Choose the circle whose members may see the material.")
CIRCLE_NOT_OF_LIBRARY = _("The circle must be one of the library's own circles.")
FILE_OR_LINK = _("Add either a file or a link.")
NOT_A_FILE = _("This material is a link, so it has no file versions.")
ALREADY_ADOPTED = _("Your library already has this material in its list.")
OWN_MATERIAL = _("This material already belongs to your library.")
CIRCLE_ONLY_NOT_ADOPTABLE = _("Material shared only with a circle cannot be adopted by other libraries.")
NOT_IN_THIS_CIRCLE = _("Material for another circle cannot be shared in this discussion.")
NOT_FOR_EVERYONE_IN_ROOM = _(
    "Not everyone in this circle may see the material, so it cannot be shared in its discussion. "
    "Share it in the circle it belongs to, or make it public first."
)
REMOVAL_ALREADY_ANSWERED = _("This request has already been answered.")
REMOVAL_MATERIAL_GONE = _("The material has already been deleted.")
DECLINE_REASON_NEEDED = _("Write a short reason, so the person knows why the material stays.")
TOO_MANY_REQUESTS = _(
    "You have sent several requests in a short time. Please wait an hour, or write to the library by e-mail."
)
