"""RFC 9380: message expansion, hash to field, hash to curve."""
from .expand import expand_message_xmd, expand_message_xof, hash_to_field, security_length

__all__ = ["expand_message_xmd", "expand_message_xof", "hash_to_field", "security_length"]
