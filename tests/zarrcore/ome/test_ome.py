"""OME-NGFF 0.4 / 0.5 parsing into the frozen model, and malformed-metadata errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from zarrcore.errors import MetadataError
from zarrcore.ome import check_arrays, default_window, is_ome, parse_ome

MULTISCALE_04: dict[str, Any] = {
    "version": "0.4",
    "name": "img",
    "axes": [
        {"name": "c", "type": "channel"},
        {"name": "z", "type": "space", "unit": "micrometer"},
        {"name": "y", "type": "space", "unit": "micrometer"},
        {"name": "x", "type": "space", "unit": "micrometer"},
    ],
    "datasets": [
        {
            "path": "0",
            "coordinateTransformations": [{"type": "scale", "scale": [1, 0.5, 0.36, 0.36]}],
        },
        {
            "path": "1",
            "coordinateTransformations": [
                {"type": "scale", "scale": [1, 0.5, 0.72, 0.72]},
                {"type": "translation", "translation": [0, 0, 0.18, 0.18]},
            ],
        },
        {
            "path": "2",
            "coordinateTransformations": [{"type": "scale", "scale": [1, 0.5, 1.44, 1.44]}],
        },
    ],
    "coordinateTransformations": [{"type": "scale", "scale": [1, 2, 1, 1]}],
}
OMERO: dict[str, Any] = {
    "channels": [
        {
            "active": True,
            "color": "00FF00",
            "label": "GFP",
            "family": "linear",
            "inverted": False,
            "coefficient": 1,
            "window": {"start": 0, "end": 1500, "min": 0, "max": 65535},
        },
        {"color": "FF0000", "label": "RFP"},
    ],
    "rdefs": {"defaultT": 0, "defaultZ": 10, "model": "color"},
}


def attrs_04() -> dict[str, Any]:
    return {"multiscales": [copy.deepcopy(MULTISCALE_04)], "omero": copy.deepcopy(OMERO)}


def attrs_05() -> dict[str, Any]:
    ms = copy.deepcopy(MULTISCALE_04)
    del ms["version"]
    return {"ome": {"version": "0.5", "multiscales": [ms], "omero": copy.deepcopy(OMERO)}}


@pytest.mark.parametrize("make", [attrs_04, attrs_05])
def test_multiscale_image_is_parsed(make: Any) -> None:
    ome = parse_ome(make())
    assert ome is not None and ome.kind == "image"
    assert ome.version in ("0.4", "0.5")
    image = ome.image
    assert image is not None
    assert image.paths == ("0", "1", "2")
    assert image.axis_names == ("c", "z", "y", "x")
    assert image.channel_axis == 0 and image.z_axis == 1 and image.yx_axes == (2, 3)
    assert image.time_axis is None
    assert image.scale_factors() == ((1, 1, 1, 1), (1, 1, 2, 2), (1, 1, 4, 4))
    assert image.datasets[1].translation == (0, 0, 0.18, 0.18)
    assert image.transforms[0].values == (1, 2, 1, 1)
    assert image.level_for_downsample(2.5) == 1
    assert image.axes[2].unit == "micrometer"


def test_omero_channels_and_windows() -> None:
    ome = parse_ome(attrs_04())
    assert ome is not None and ome.omero is not None
    gfp = ome.channel(0)
    assert gfp is not None and gfp.color == (0, 255, 0) and gfp.label == "GFP"
    assert default_window(gfp, "uint16") == (0, 1500)
    assert default_window(ome.channel(1), "uint16") == (0, 65535)
    assert default_window(None, "float32") is None
    assert ome.omero.default_z == 10 and ome.omero.default_t == 0


def test_labels_image_label_plate_and_well() -> None:
    assert parse_ome({"labels": ["cells", "nuclei"]}).labels == ("cells", "nuclei")  # type: ignore[union-attr]
    label = parse_ome(
        {
            "multiscales": [MULTISCALE_04],
            "image-label": {
                "version": "0.4",
                "colors": [{"label-value": 1, "rgba": [255, 0, 0, 255]}],
                "properties": [{"label-value": 1, "area": 5}],
                "source": {"image": "../../"},
            },
        }
    )
    assert label is not None and label.kind == "label-image"
    assert label.image_label is not None and label.image_label.colors[1] == (255, 0, 0, 255)
    assert label.image_label.source_image == "../../"
    plate = parse_ome(
        {
            "ome": {
                "version": "0.5",
                "plate": {
                    "columns": [{"name": "1"}, {"name": "2"}],
                    "rows": [{"name": "A"}],
                    "wells": [{"path": "A/2", "rowIndex": 0, "columnIndex": 1}],
                    "field_count": 1,
                },
            }
        }
    )
    assert plate is not None and plate.kind == "plate" and plate.plate is not None
    assert plate.plate.wells[0].column_index == 1
    well = parse_ome({"well": {"images": [{"path": "0", "acquisition": 1}], "version": "0.4"}})
    assert well is not None and well.kind == "well" and well.version == "0.4"
    assert well.well is not None and well.well.images[0].acquisition == 1


def test_plain_attributes_are_not_ome() -> None:
    assert parse_ome({"foo": 1}) is None
    assert not is_ome({"foo": 1}) and is_ome(attrs_05())


def test_legacy_versions_without_transforms() -> None:
    ome = parse_ome(
        {
            "multiscales": [
                {
                    "version": "0.3",
                    "axes": ["z", "y", "x"],
                    "datasets": [{"path": "0"}, {"path": "1"}],
                }
            ]
        }
    )
    assert ome is not None and ome.image is not None
    assert ome.image.space_axes == (0, 1, 2)
    assert ome.image.scale_factors_from_shapes([(10, 64, 64), (10, 32, 32)])[1] == (1, 2, 2)
    old = parse_ome({"multiscales": [{"version": "0.1", "datasets": [{"path": "0"}]}]})
    assert old is not None and old.image is not None and old.image.axis_names == tuple("tczyx")


def _broken(path: list[Any], value: Any, *, v05: bool = False) -> dict[str, Any]:
    attrs = attrs_05() if v05 else attrs_04()
    target: Any = attrs["ome"] if v05 else attrs
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return attrs


@pytest.mark.parametrize(
    ("attrs", "key"),
    [
        (_broken(["multiscales", 0, "datasets"], []), "multiscales[0].datasets"),
        (_broken(["multiscales", 0, "axes"], KeyError), "multiscales[0].axes"),
        (_broken(["multiscales", 0, "axes", 1, "name"], 3), "multiscales[0].axes[1].name"),
        (
            _broken(["multiscales", 0, "axes"], [{"name": "x", "type": "space"}]),
            "multiscales[0].axes",
        ),
        (
            _broken(
                ["multiscales", 0, "datasets", 1, "coordinateTransformations", 0, "scale"], [1, 2]
            ),
            "multiscales[0].datasets[1].coordinateTransformations[0].scale",
        ),
        (
            _broken(
                ["multiscales", 0, "datasets", 0, "coordinateTransformations"],
                [{"type": "translation", "translation": [0, 0, 0, 0]}],
            ),
            "multiscales[0].datasets[0].coordinateTransformations",
        ),
        (
            _broken(
                ["multiscales", 0, "datasets", 0, "coordinateTransformations", 0, "type"], "affine"
            ),
            "multiscales[0].datasets[0].coordinateTransformations[0].type",
        ),
        (
            _broken(["multiscales", 0, "datasets", 0, "path"], None),
            "multiscales[0].datasets[0].path",
        ),
        (_broken(["omero", "channels", 0, "color"], "green"), "omero.channels[0].color"),
        (_broken(["omero", "channels", 0, "window", "end"], "x"), "omero.channels[0].window.end"),
        (_broken(["version"], 0.5, v05=True), "ome.version"),
        (_broken(["multiscales"], {}, v05=True), "ome.multiscales"),
        ({"labels": "cells"}, "labels"),
        (
            {
                "plate": {
                    "rows": [{"name": "A"}],
                    "columns": [{"name": "1"}],
                    "wells": [{"path": "A/1", "rowIndex": 3, "columnIndex": 0}],
                }
            },
            "plate.wells[0]",
        ),
        (
            {"image-label": {"colors": [{"label-value": 1, "rgba": [1, 2, 3]}]}},
            "image-label.colors[0].rgba",
        ),
    ],
)
def test_malformed_metadata_names_the_key(attrs: dict[str, Any], key: str) -> None:
    with pytest.raises(MetadataError) as info:
        parse_ome(attrs)
    assert info.value.key == key


def test_check_arrays_compares_levels_with_axes() -> None:
    ome = parse_ome(attrs_05())
    assert ome is not None and ome.image is not None
    shapes = {"0": (2, 4, 64, 64), "1": (2, 4, 32, 32), "2": (2, 4, 16, 16)}
    check_arrays(ome.image, shapes, {"0": ("c", "z", "y", "x")})
    with pytest.raises(MetadataError) as info:
        check_arrays(ome.image, dict(shapes, **{"1": (4, 32, 32)}))
    assert info.value.key == "1"
    with pytest.raises(MetadataError, match="dimension_names"):
        check_arrays(ome.image, shapes, {"2": ("c", "z", "x", "y")})


def test_ome_of_reads_a_group_s_attributes() -> None:
    import zarrcore
    from zarrcore.ome import ome_of
    from zarrcore.store.memory import MemoryStore

    group = zarrcore.open_group(MemoryStore(), mode="w", zarr_format=3, attributes=attrs_05())
    ome = ome_of(group)
    assert ome is not None and ome.image is not None and ome.image.paths == ("0", "1", "2")
    assert ome_of(object()) is None


def test_levels_listed_coarsest_first_still_come_back_highest_resolution_first() -> None:
    attrs = attrs_04()
    attrs["multiscales"][0]["datasets"].reverse()
    ome = parse_ome(attrs)
    assert ome is not None and ome.image is not None
    assert ome.image.paths == ("0", "1", "2")
    assert ome.image.scale_factors()[2] == (1, 1, 4, 4)
