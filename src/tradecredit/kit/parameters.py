"""Parameter files (TOML) validated into pydantic models, with every problem named."""

from __future__ import annotations

import tomllib
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tradecredit.kit.errors import InvalidInput

Model = TypeVar("Model", bound=BaseModel)


def parse_toml_as(model: type[Model], name: str, text: str) -> Model:
    """`text` (the TOML file `name`) validated as `model`; any problem is one `InvalidInput`."""
    try:
        return model.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{name}: not valid TOML: {error}") from None
    except ValidationError as error:
        raise InvalidInput(f"{name}: {describe_validation(error)}") from None


def describe_validation(error: ValidationError) -> str:
    """Every problem of a parameter file, each as `where: why`."""
    return "; ".join(_describe(problem) for problem in error.errors())


def _describe(problem: ErrorDetails) -> str:
    where = ".".join(str(part) for part in problem["loc"])
    message = problem["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
